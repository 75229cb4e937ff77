//! The tutor's model, reached through genai with the provider, base URL and
//! key from configuration (so tests point it at a local fake).

use genai::adapter::AdapterKind;
use genai::chat::{ChatMessage, ChatOptions, ChatRequest, ChatStream};
use genai::resolver::{AuthData, Endpoint};
use genai::{Client, ModelIden, ServiceTarget};

use crate::config::{LlmConfig, LlmProvider};

/// A streaming chat client for the configured model.
#[derive(Clone)]
pub struct Tutor {
    client: Client,
    iden: ModelIden,
    label: String,
}

impl std::fmt::Debug for Tutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tutor({})", self.label)
    }
}

/// Why the model could not answer.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LlmError(pub String);

impl Tutor {
    /// A client for `config`.
    pub fn new(config: &LlmConfig) -> Self {
        lens_runtime::install_crypto_provider();
        let kind = match config.provider {
            LlmProvider::Anthropic => AdapterKind::Anthropic,
            LlmProvider::OpenAi => AdapterKind::OpenAI,
            LlmProvider::Gemini => AdapterKind::Gemini,
        };
        let iden = ModelIden::new(kind, config.model.clone());
        let base_url = config
            .base_url
            .clone()
            .map(|url| format!("{}/", url.trim_end_matches('/')));
        let key = config
            .api_key
            .as_ref()
            .map(|k| k.expose().to_owned())
            .unwrap_or_default();
        let target_iden = iden.clone();
        let client = Client::builder()
            .with_service_target_resolver_fn(move |target: ServiceTarget| {
                let endpoint = match &base_url {
                    Some(url) => Endpoint::from_owned(url.clone()),
                    None => target.endpoint,
                };
                Ok(ServiceTarget {
                    endpoint,
                    auth: AuthData::from_single(key.clone()),
                    model: target_iden.clone(),
                })
            })
            .build()
            .expect("a client without custom web settings always builds");
        Self {
            client,
            iden,
            label: config.label(),
        }
    }

    /// `provider/model`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Starts a streamed answer to `history` (role, text; oldest first).
    /// Dropping the stream cancels the request to the provider.
    pub async fn stream(
        &self,
        system: String,
        history: &[(String, String)],
    ) -> Result<ChatStream, LlmError> {
        let messages = history
            .iter()
            .map(|(role, text)| {
                if role == "assistant" {
                    ChatMessage::assistant(text.clone())
                } else {
                    ChatMessage::user(text.clone())
                }
            })
            .collect();
        let request = ChatRequest::new(messages).with_system(system);
        let options = ChatOptions::default()
            .with_capture_usage(true)
            .with_max_tokens(2048);
        self.client
            .exec_chat_stream(self.iden.clone(), request, Some(&options))
            .await
            .map(|response| response.stream)
            .map_err(|e| LlmError(e.to_string()))
    }
}
