//! The AI tutor's language model.

use super::{ConfigError, Env, HttpUrl, Secret, SettingError};

/// The model used when `LLM_PROVIDER` is unset, as in the original deployment.
pub const DEFAULT_LLM: &str = "anthropic/claude-sonnet-4-20250514";

/// Providers the tutor can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LlmProvider {
    /// Anthropic Messages API.
    Anthropic,
    /// OpenAI chat completions, or any compatible server (Ollama, vLLM, LM Studio) via `LLM_BASE_URL`.
    OpenAi,
    /// Google Gemini.
    Gemini,
}

/// A configured model.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    /// Provider.
    pub provider: LlmProvider,
    /// Model name at the provider.
    pub model: String,
    /// Base URL overriding the provider's (`LLM_BASE_URL`).
    pub base_url: Option<HttpUrl>,
    /// API key (absent for keyless self-hosted servers).
    pub api_key: Option<Secret>,
    /// How long the tutor waits for the provider.
    pub timeouts: LlmTimeouts,
    /// Tokens the model may think before answering
    /// (`LLM_THINKING_BUDGET`; off when unset). Where the provider streams
    /// its thinking (Anthropic's extended thinking), the learner sees it
    /// collapsed beside the answer.
    pub thinking_budget: Option<u32>,
}

/// How long the tutor waits for its model provider. A limit that runs out
/// fails the answer as "could not be reached", with what arrived kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LlmTimeouts {
    /// Connecting (`LLM_CONNECT_TIMEOUT_SECS`, default 10).
    pub connect: std::time::Duration,
    /// From the request to the first word (`LLM_FIRST_BYTE_TIMEOUT_SECS`,
    /// default 60: long prompts take a while to start).
    pub first_byte: std::time::Duration,
    /// Between two pieces of the answer (`LLM_IDLE_TIMEOUT_SECS`, default 30).
    pub idle: std::time::Duration,
    /// The whole answer, retries included (`LLM_TOTAL_TIMEOUT_SECS`, default 300).
    pub total: std::time::Duration,
}

impl Default for LlmTimeouts {
    fn default() -> Self {
        let secs = std::time::Duration::from_secs;
        Self {
            connect: secs(10),
            first_byte: secs(60),
            idle: secs(30),
            total: secs(300),
        }
    }
}

impl LlmTimeouts {
    /// Reads the limits, each in whole seconds above 0.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let default = Self::default();
        let secs = |name, fallback: std::time::Duration| {
            env.number(name, fallback.as_secs(), 1..=86_400)
                .map(std::time::Duration::from_secs)
        };
        Ok(Self {
            connect: secs("LLM_CONNECT_TIMEOUT_SECS", default.connect)?,
            first_byte: secs("LLM_FIRST_BYTE_TIMEOUT_SECS", default.first_byte)?,
            idle: secs("LLM_IDLE_TIMEOUT_SECS", default.idle)?,
            total: secs("LLM_TOTAL_TIMEOUT_SECS", default.total)?,
        })
    }
}

impl LlmConfig {
    /// `provider/model`, as configured.
    pub fn label(&self) -> String {
        let provider = match self.provider {
            LlmProvider::Anthropic => "anthropic",
            LlmProvider::OpenAi => "openai",
            LlmProvider::Gemini => "gemini",
        };
        format!("{provider}/{}", self.model)
    }

    /// Reads `LLM_PROVIDER`, `LLM_BASE_URL` and the provider's key. `Ok(None)`
    /// when no usable provider is configured (the tutor is then off).
    pub fn from_env(env: &Env) -> Result<Option<Self>, ConfigError> {
        let spec = env.get("LLM_PROVIDER").unwrap_or(DEFAULT_LLM);
        let (provider, model) = spec.split_once('/').ok_or_else(|| SettingError::Invalid {
            name: "LLM_PROVIDER",
            value: spec.to_owned(),
            reason: "expected provider/model, for example anthropic/claude-sonnet-4-20250514"
                .into(),
        })?;
        let (provider, key_var) = match provider {
            "anthropic" => (LlmProvider::Anthropic, "ANTHROPIC_API_KEY"),
            "openai" => (LlmProvider::OpenAi, "OPENAI_API_KEY"),
            "gemini" | "google" => (LlmProvider::Gemini, "GEMINI_API_KEY"),
            other => {
                return Err(SettingError::Invalid {
                    name: "LLM_PROVIDER",
                    value: spec.to_owned(),
                    reason: format!("unknown provider {other:?}: use anthropic, openai or gemini"),
                }
                .into());
            }
        };
        if model.is_empty() {
            return Err(SettingError::Invalid {
                name: "LLM_PROVIDER",
                value: spec.to_owned(),
                reason: "the model name after / is empty".into(),
            }
            .into());
        }
        let base_url = env.optional_url("LLM_BASE_URL")?;
        let api_key = env.get(key_var).map(Secret::new);
        if api_key.is_none() && base_url.is_none() {
            return Ok(None);
        }
        Ok(Some(Self {
            provider,
            model: model.to_owned(),
            base_url,
            api_key,
            timeouts: LlmTimeouts::from_env(env)?,
            thinking_budget: env
                .get("LLM_THINKING_BUDGET")
                .map(|_| env.number("LLM_THINKING_BUDGET", 0, 1024..=64_000))
                .transpose()?
                .map(|n| n as u32),
        }))
    }
}

/// Per-learner limits on the tutor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatLimits {
    /// Messages a learner may send per minute (`CHAT_MESSAGES_PER_MINUTE`, default 10).
    pub messages_per_minute: u32,
    /// Tokens (prompt and answer) a learner may use per UTC day
    /// (`CHAT_DAILY_TOKEN_QUOTA`, default 200 000).
    pub daily_tokens: u64,
    /// How long an answer's row is held for the core answering it, renewed
    /// every few seconds while it streams (`CHAT_ANSWER_LEASE_SECS`, default
    /// 15): once it runs out the core is taken to be gone, the row reads as
    /// partial, and the learner may ask again.
    pub answer_lease: std::time::Duration,
}

impl ChatLimits {
    /// Reads the limits.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let number = |name, default| env.number(name, default, 1..=u64::from(u32::MAX));
        Ok(Self {
            messages_per_minute: number("CHAT_MESSAGES_PER_MINUTE", 10)? as u32,
            daily_tokens: number("CHAT_DAILY_TOKEN_QUOTA", 200_000)?,
            answer_lease: std::time::Duration::from_secs(number("CHAT_ANSWER_LEASE_SECS", 15)?),
        })
    }
}
