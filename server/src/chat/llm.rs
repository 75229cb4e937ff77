//! The tutor's model, reached through genai with the provider, base URL and
//! key from configuration (so tests point it at a local fake).

use futures::StreamExt;
use genai::adapter::AdapterKind;
use genai::chat::{
    CacheControl, ChatMessage, ChatOptions, ChatRequest, ChatStream, ChatStreamEvent, JsonSpec,
    ReasoningEffort,
};
use genai::resolver::{AuthData, Endpoint};
use genai::{Client, ModelIden, ServiceTarget, WebConfig};

use super::failure::LlmFailure;
use super::prompt::Turn;
use crate::config::{LlmConfig, LlmProvider, LlmTimeouts};
use crate::domain::ChatRole;

/// Longest answer, in tokens.
pub const MAX_ANSWER_TOKENS: u32 = 2048;

/// A streaming chat client for the configured model.
#[derive(Clone)]
pub struct Tutor {
    client: Client,
    iden: ModelIden,
    provider: LlmProvider,
    label: String,
    timeouts: LlmTimeouts,
    thinking_budget: Option<u32>,
}

impl std::fmt::Debug for Tutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tutor({})", self.label)
    }
}

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
        let base_url = config.base_url.clone().map(|url| format!("{url}/"));
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
            .with_web_config(WebConfig {
                // A read that waits longer than the idle limit fails the
                // request, before headers or mid-answer alike.
                read_timeout: Some(config.timeouts.idle),
                ..WebConfig::default().with_connect_timeout(config.timeouts.connect)
            })
            .build()
            .expect("a client with timeouts only always builds");
        Self {
            client,
            iden,
            provider: config.provider,
            label: config.label(),
            timeouts: config.timeouts,
            thinking_budget: config.thinking_budget,
        }
    }

    /// How long to wait for the provider.
    pub fn timeouts(&self) -> LlmTimeouts {
        self.timeouts
    }

    /// `provider/model`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Starts a streamed answer to `history` (role, text; oldest first).
    /// Dropping the stream cancels the request to the provider.
    pub async fn stream(&self, system: &str, history: &[Turn]) -> Result<ChatStream, LlmFailure> {
        self.stream_round(system, history, &[], false).await
    }

    /// Starts one round of an answer: `history`, then the rounds so far
    /// (`rounds`: the model's tool calls and their results), offering the
    /// course tools when `tools`. What the model thinks streams as
    /// reasoning where the provider does so and `LLM_THINKING_BUDGET` is
    /// set.
    pub async fn stream_round(
        &self,
        system: &str,
        history: &[Turn],
        rounds: &[ChatMessage],
        tools: bool,
    ) -> Result<ChatStream, LlmFailure> {
        let mut system = ChatMessage::system(system.to_owned());
        if self.provider == LlmProvider::Anthropic {
            // The system prompt (preamble, module, what was read,
            // instructions) is the same for every turn at a chat segment:
            // cached, later turns cost a tenth for it. Prompts under the
            // provider's minimum are simply not cached.
            system = system.with_options(CacheControl::Ephemeral);
        }
        let messages = std::iter::once(system)
            .chain(history.iter().map(|(role, text)| match role {
                ChatRole::Assistant => ChatMessage::assistant(text.clone()),
                ChatRole::User => ChatMessage::user(text.clone()),
            }))
            .chain(rounds.iter().cloned())
            .collect();
        let mut request = ChatRequest::new(messages);
        if tools {
            request = request.with_tools(super::tools::definitions());
        }
        let mut options = ChatOptions::default()
            .with_capture_usage(true)
            .with_capture_content(true)
            .with_capture_tool_calls(true)
            .with_capture_reasoning_content(true)
            .with_max_tokens(MAX_ANSWER_TOKENS + self.thinking_budget.unwrap_or(0));
        if let Some(budget) = self.thinking_budget {
            options = options.with_reasoning_effort(ReasoningEffort::Budget(budget));
        }
        self.client
            .exec_chat_stream(self.iden.clone(), request, Some(&options))
            .await
            .map(|response| response.stream)
            .map_err(|e| LlmFailure::from_genai(&e))
    }

    /// A whole reply to one message that must keep the JSON `schema`, asked
    /// for with the provider's structured output (Anthropic's
    /// `output_config`, OpenAI's `response_format`, Gemini's
    /// `responseSchema`). Streamed and gathered, so the same time limits as
    /// the tutor's answers apply. The reply is the model's text: the caller
    /// checks it, since not every model keeps a schema.
    pub async fn structured(
        &self,
        system: &str,
        message: &str,
        name: &str,
        schema: serde_json::Value,
    ) -> Result<String, LlmFailure> {
        let request = ChatRequest::new(vec![
            ChatMessage::system(system.to_owned()),
            ChatMessage::user(message.to_owned()),
        ]);
        let options = ChatOptions::default()
            .with_max_tokens(MAX_ANSWER_TOKENS)
            .with_response_format(JsonSpec::new(name, schema));
        let gather = async {
            let mut stream = self
                .client
                .exec_chat_stream(self.iden.clone(), request, Some(&options))
                .await
                .map_err(|e| LlmFailure::from_genai(&e))?
                .stream;
            let mut text = String::new();
            while let Some(event) = stream.next().await {
                match event.map_err(|e| LlmFailure::from_genai(&e))? {
                    ChatStreamEvent::Chunk(chunk) => text.push_str(&chunk.content),
                    ChatStreamEvent::End(_) => return Ok(text),
                    _ => {}
                }
            }
            Err(LlmFailure::Broken(
                "the reply ended without an end event".into(),
            ))
        };
        tokio::time::timeout(self.timeouts.total, gather)
            .await
            .unwrap_or_else(|_| {
                Err(LlmFailure::Unreachable(format!(
                    "no whole reply within {} s",
                    self.timeouts.total.as_secs()
                )))
            })
    }
}
