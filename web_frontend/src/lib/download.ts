// Saving text the core produced (an .ics file) as a file, without a round
// trip through a URL the edge would have to serve.

/** Offers `text` as a download named `fileName`. */
export function saveText(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the URL may go.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
