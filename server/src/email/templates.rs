//! Email templates: one place, each message in HTML and plain text, with a
//! shared layout carrying the unsubscribe link. minijinja escapes what the
//! HTML versions show.

use minijinja::Environment;
use serde::Serialize;

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

/// The templates, compiled once.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

/// Why a template could not be rendered (a bug in a template).
#[derive(Debug, thiserror::Error)]
#[error("email template {name}: {source}")]
pub struct TemplateError {
    name: &'static str,
    #[source]
    source: minijinja::Error,
}

impl Templates {
    /// Every template.
    pub fn new() -> Self {
        let mut env = Environment::new();
        for (name, source) in [
            ("layout.html", include_str!("templates/layout.html")),
            ("layout.txt", include_str!("templates/layout.txt")),
            ("reminder.html", include_str!("templates/reminder.html")),
            ("reminder.txt", include_str!("templates/reminder.txt")),
            ("nudge.html", include_str!("templates/nudge.html")),
            ("nudge.txt", include_str!("templates/nudge.txt")),
            ("welcome.html", include_str!("templates/welcome.html")),
            ("welcome.txt", include_str!("templates/welcome.txt")),
            (
                "group_assigned.html",
                include_str!("templates/group_assigned.html"),
            ),
            (
                "group_assigned.txt",
                include_str!("templates/group_assigned.txt"),
            ),
        ] {
            env.add_template(name, source)
                .expect("the bundled templates parse");
        }
        // Only the .html templates escape: plain text shows text as it is.
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        Self { env }
    }

    /// Renders message `name` (`reminder`) with `context` under `subject`.
    pub fn render(
        &self,
        name: &'static str,
        subject: String,
        context: &impl Serialize,
    ) -> Result<Rendered, TemplateError> {
        let render = |file: String| {
            self.env
                .get_template(&file)
                .and_then(|t| t.render(context))
                .map_err(|source| TemplateError { name, source })
        };
        Ok(Rendered {
            subject,
            text: render(format!("{name}.txt"))?,
            html: render(format!("{name}.html"))?,
        })
    }
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_names_and_text_keeps_them() {
        let context = serde_json::json!({
            "name": "<Ada>", "group_name": "Hypatia", "when": "tomorrow", "number": 2,
            "meeting_count": 8, "starts_local": "Monday 8 March, 19:00 (Europe/Berlin)",
            "reading": [{"title": "Goals", "url": "https://lens.example/module/goals"}],
            "meetings_url": "https://lens.example/meetings", "course_title": "AI Safety",
            "unsubscribe_url": "https://lens.example/unsubscribe?user=3&sig=abc",
        });
        let mail = Templates::new()
            .render("reminder", "Hypatia meets tomorrow".into(), &context)
            .unwrap();
        assert!(mail.html.contains("Hello &lt;Ada&gt;"), "{}", mail.html);
        assert!(mail.text.contains("Hello <Ada>,"), "{}", mail.text);
        assert!(
            mail.text
                .contains("- Goals: https://lens.example/module/goals"),
            "{}",
            mail.text
        );
        assert!(
            mail.text
                .contains("https://lens.example/unsubscribe?user=3&sig=abc")
        );
        assert!(
            mail.html.contains("unsubscribe?user=3&amp;sig=abc"),
            "{}",
            mail.html
        );
    }
}
