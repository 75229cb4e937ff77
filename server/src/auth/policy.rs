//! Which caller may call which RPC, read from the contract: every lens.v1
//! RPC carries `option (lens.v1.access)`.

use std::collections::{HashMap, HashSet};

use lens_proto::v1::Access;
use prost_reflect::DescriptorPool;

/// The access rule of every lens.v1 RPC, by HTTP path
/// (`/lens.v1.AuthService/WhoAmI`).
#[derive(Debug, Clone)]
pub struct AccessPolicy {
    by_path: HashMap<String, Access>,
    /// Admin RPCs an admin may call through the discord edge.
    through_discord: HashSet<String>,
}

/// The contract could not be read, or an RPC declares no access rule.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The descriptor set did not decode.
    #[error("the compiled contract is unreadable: {0}")]
    Descriptor(String),
    /// The `lens.v1.access` option is not in the contract.
    #[error("the contract does not define the lens.v1.access option")]
    NoAccessOption,
    /// RPCs without an access rule.
    #[error("these RPCs declare no `option (lens.v1.access)`: {0}")]
    Undeclared(String),
}

impl AccessPolicy {
    /// Reads the rules from an encoded `FileDescriptorSet`.
    pub fn from_descriptor_set(bytes: &[u8]) -> Result<Self, PolicyError> {
        let pool =
            DescriptorPool::decode(bytes).map_err(|e| PolicyError::Descriptor(e.to_string()))?;
        let access = pool
            .get_extension_by_name("lens.v1.access")
            .ok_or(PolicyError::NoAccessOption)?;
        let through_discord_option = pool.get_extension_by_name("lens.v1.admin_through_discord");
        let mut by_path = HashMap::new();
        let mut through_discord = HashSet::new();
        let mut undeclared = Vec::new();
        for service in pool.services().filter(|s| s.package_name() == "lens.v1") {
            for method in service.methods() {
                let path = format!("/{}/{}", service.full_name(), method.name());
                let options = method.options();
                if through_discord_option
                    .as_ref()
                    .is_some_and(|option| options.get_extension(option).as_bool() == Some(true))
                {
                    through_discord.insert(path.clone());
                }
                let number = options.get_extension(&access).as_enum_number();
                match number.and_then(|n| Access::try_from(n).ok()) {
                    Some(rule) if rule != Access::Unspecified => {
                        by_path.insert(path, rule);
                    }
                    _ => undeclared.push(path),
                }
            }
        }
        if !undeclared.is_empty() {
            undeclared.sort();
            return Err(PolicyError::Undeclared(undeclared.join(", ")));
        }
        Ok(Self {
            by_path,
            through_discord,
        })
    }

    /// Whether an admin may call the RPC at `path` through the discord edge.
    pub fn admin_through_discord(&self, path: &str) -> bool {
        self.through_discord.contains(path)
    }

    /// The rule for the RPC at `path`; `None` for paths outside lens.v1.
    pub fn rule(&self, path: &str) -> Option<Access> {
        self.by_path.get(path).copied()
    }

    /// Every RPC path with its rule, sorted by path.
    pub fn rules(&self) -> Vec<(&str, Access)> {
        let mut rules: Vec<_> = self.by_path.iter().map(|(p, a)| (p.as_str(), *a)).collect();
        rules.sort();
        rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rpc_of_the_contract_declares_its_access() {
        let policy = AccessPolicy::from_descriptor_set(lens_proto::FILE_DESCRIPTOR_SET).unwrap();
        assert_eq!(
            policy.rule("/lens.v1.AuthService/WhoAmI"),
            Some(Access::Anonymous)
        );
        assert_eq!(
            policy.rule("/lens.v1.AuthService/ExchangeDiscordCode"),
            Some(Access::WebEdge)
        );
        assert_eq!(
            policy.rule("/lens.v1.UserService/UpdateProfile"),
            Some(Access::User)
        );
        assert_eq!(policy.rule("/grpc.health.v1.Health/Check"), None);
    }
}
