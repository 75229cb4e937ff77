//! The real web edge on a loopback port, in front of a test core.

use std::net::SocketAddr;

use lens_runtime::Env;
use lens_server::auth::EdgeKind;
use lens_web::{WebConfig, WebState};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::core::TestCore;

/// A running web edge.
pub struct TestWeb {
    /// Its address.
    pub addr: SocketAddr,
    /// Its URL (`http://127.0.0.1:PORT`).
    pub url: String,
    stop: Option<oneshot::Sender<()>>,
}

impl TestWeb {
    /// Starts a web edge for `core`, in development mode if `dev_mode`.
    pub async fn start(core: &TestCore, dev_mode: bool) -> Self {
        Self::start_with(core, dev_mode, Vec::new()).await
    }

    /// Like [`TestWeb::start`], with more configuration variables.
    pub async fn start_with(core: &TestCore, dev_mode: bool, extra: Vec<(String, String)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        Self::start_on(listener, core, dev_mode, extra).await
    }

    /// Like [`TestWeb::start_with`], on a listener bound beforehand (so the
    /// core can be told the edge's address, as OAuth redirects need).
    pub async fn start_on(
        listener: TcpListener,
        core: &TestCore,
        dev_mode: bool,
        extra: Vec<(String, String)>,
    ) -> Self {
        let mut vars = vec![
            ("LENS_WEB_ADDR".to_owned(), "127.0.0.1:0".to_owned()),
            ("LENS_CORE_URL".to_owned(), core.url.clone()),
            ("LENS_EDGE_TOKEN".to_owned(), core.edge_token(EdgeKind::Web)),
            ("LENS_STATIC_DIR".to_owned(), "/nonexistent".to_owned()),
        ];
        if dev_mode {
            vars.push(("DEV_MODE".into(), "1".into()));
        }
        vars.extend(extra);
        let config = WebConfig::from_env(&Env::from_pairs(vars)).expect("web configuration");
        let state = WebState::new(config).expect("web state");
        let addr = listener.local_addr().expect("address");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(lens_web::serve(state, listener, async move {
            let _ = stopped.await;
        }));
        Self {
            addr,
            url: format!("http://{addr}"),
            stop: Some(stop),
        }
    }
}

impl Drop for TestWeb {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
