//! Which addresses HTTP fetches may reach: protection against server-side request forgery
//! for engines that render documents from untrusted clients.
//!
//! With [`HostPolicy::block_private`] set, a fetch is refused when its host is, or resolves
//! to, a loopback, private, link-local, CGNAT, multicast, unspecified, reserved or cloud
//! metadata address — checked before the request, on every redirect, and again inside the
//! HTTP client's own DNS resolution (so a name that changes its answer between the check
//! and the connection is caught too). Hosts on [`HostPolicy::allowed_hosts`] are exempt.

use crate::editor::HostPolicy;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use url::{Host, Url};

/// Why `ip` may not be fetched from, or `None` when it is a public address.
pub fn forbidden_range(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            // Addresses that carry an IPv4 address are judged by it.
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let s = v6.segments();
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4] {
                let [a, b] = s[6].to_be_bytes();
                let [c, d] = s[7].to_be_bytes();
                return forbidden_v4(Ipv4Addr::new(a, b, c, d));
            }
            if v6.is_unspecified() {
                Some("unspecified")
            } else if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_multicast() {
                Some("multicast")
            } else if s[0] & 0xfe00 == 0xfc00 {
                Some("unique local (private)")
            } else if s[0] & 0xffc0 == 0xfe80 {
                Some("link-local")
            } else if s[0] == 0 && s[1..6] == [0; 5] {
                // ::a.b.c.d, deprecated IPv4-compatible addresses.
                Some("IPv4-compatible (reserved)")
            } else {
                None
            }
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, d] = ip.octets();
    Some(match (a, b, c, d) {
        (0, ..) => "unspecified (this network)",
        (127, ..) => "loopback",
        (10, ..) => "private",
        (172, 16..=31, ..) => "private",
        (192, 168, ..) => "private",
        (169, 254, 169, 254) => "cloud metadata",
        (169, 254, ..) => "link-local",
        (100, 64..=127, ..) => "carrier-grade NAT (shared)",
        (192, 0, 0, _) => "IETF protocol assignments (cloud metadata)",
        (168, 63, 129, 16) => "cloud metadata (Azure)",
        (198, 18..=19, ..) => "benchmarking (reserved)",
        (224..=239, ..) => "multicast",
        (240..=255, ..) => "reserved or broadcast",
        _ => return None,
    })
}

impl HostPolicy {
    /// True when `host` (a name or an address, without brackets) at `port` is on the allow
    /// list: an entry `host` allows every port, `host:port` that one.
    pub fn allows(&self, host: &str, port: Option<u16>) -> bool {
        self.allowed_hosts.iter().any(|entry| {
            let (name, entry_port) = split_host_port(entry);
            name.eq_ignore_ascii_case(host) && entry_port.is_none_or(|p| Some(p) == port)
        })
    }

    /// True when some entry names `host`, whatever its port (the DNS resolver sees no port).
    fn allows_name(&self, host: &str) -> bool {
        self.allowed_hosts
            .iter()
            .any(|entry| split_host_port(entry).0.eq_ignore_ascii_case(host))
    }

    /// Checks a URL about to be fetched (or redirected to): `Err` says which host and why.
    /// Resolves the host's name to judge its addresses (blocking DNS).
    pub fn check_url(&self, url: &Url) -> Result<(), String> {
        if !self.block_private {
            return Ok(());
        }
        let port = url.port_or_known_default();
        let (shown, ips): (String, Vec<IpAddr>) = match url.host() {
            None => return Err(format!("`{url}` has no host")),
            Some(Host::Ipv4(ip)) => (ip.to_string(), vec![IpAddr::V4(ip)]),
            Some(Host::Ipv6(ip)) => (ip.to_string(), vec![IpAddr::V6(ip)]),
            Some(Host::Domain(name)) => {
                if self.allows(name, port) {
                    return Ok(());
                }
                let addrs = (name, port.unwrap_or(0))
                    .to_socket_addrs()
                    .map_err(|e| format!("host `{name}` does not resolve: {e}"))?;
                (name.to_string(), addrs.map(|a| a.ip()).collect())
            }
        };
        if self.allows(&shown, port) {
            return Ok(());
        }
        for ip in ips {
            if let Some(range) = forbidden_range(ip) {
                return Err(refusal(&shown, ip, range));
            }
        }
        Ok(())
    }
}

fn refusal(host: &str, ip: IpAddr, range: &str) -> String {
    let to = if host == ip.to_string() {
        String::new()
    } else {
        format!(" resolves to {ip}, which")
    };
    format!(
        "host `{host}`{to} is a {range} address; fetches from it are refused (allow the host to fetch from it)"
    )
}

/// `host[:port]`, also `[v6]:port`.
fn split_host_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((host, tail)) => (host, tail.strip_prefix(':').and_then(|p| p.parse().ok())),
            None => (entry, None),
        };
    }
    match entry.rsplit_once(':') {
        // One colon: host:port. More: a bare IPv6 address.
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(p) => (host, Some(p)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

/// The HTTP client's DNS: system resolution, with forbidden addresses dropped for names
/// not on the allow list.
pub(crate) struct FilteringResolver {
    pub policy: HostPolicy,
}

impl reqwest::dns::Resolve for FilteringResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            // Blocking resolution on the client's own runtime thread: fetches run on threads
            // of their own, so this holds up no caller.
            let addrs: Vec<SocketAddr> = (host.as_str(), 0)
                .to_socket_addrs()
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) })?
                .collect();
            if !policy.block_private || policy.allows_name(&host) {
                return Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs);
            }
            if let Some(bad) = addrs
                .iter()
                .find_map(|a| forbidden_range(a.ip()).map(|r| (a.ip(), r)))
            {
                let message = refusal(&host, bad.0, bad.1);
                return Err(message.into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict(allowed: &[&str]) -> HostPolicy {
        HostPolicy {
            block_private: true,
            allowed_hosts: allowed.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn check(policy: &HostPolicy, url: &str) -> Result<(), String> {
        policy.check_url(&Url::parse(url).unwrap_or_else(|e| panic!("{url}: {e}")))
    }

    #[test]
    fn every_non_public_range_is_refused() {
        let p = strict(&[]);
        for url in [
            "http://127.0.0.1/a.png",
            "http://127.1.2.3:8080/a.png",
            "http://0.0.0.0/a.png",
            "http://[::1]/a.png",
            "http://[::]/a.png",
            "http://169.254.169.254/latest/meta-data/",
            "http://169.254.1.1/",
            "http://10.0.0.1/",
            "http://172.16.5.4/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://100.100.100.200/",
            "http://224.0.0.1/",
            "http://255.255.255.255/",
            "http://[fe80::1]/",
            "http://[fd00:ec2::254]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[64:ff9b::a00:1]/",
            "http://168.63.129.16/",
        ] {
            let e = check(&p, url).expect_err(url);
            let ip: Option<IpAddr> = Url::parse(url)
                .ok()
                .and_then(|u| u.host_str()?.trim_matches(['[', ']']).parse().ok());
            let shown = ip.map(|ip| ip.to_string()).unwrap_or_default();
            assert!(
                e.contains(&format!("`{shown}`")) && e.contains("refused"),
                "{url}: {e}"
            );
        }
        assert!(check(&p, "http://93.184.215.14/x.png").is_ok());
        assert!(check(&p, "http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/").is_ok());
        // Names are judged by what they resolve to.
        let e = check(&p, "http://localhost:9/x.png").unwrap_err();
        assert!(
            e.contains("`localhost` resolves to") && e.contains("loopback"),
            "{e}"
        );
    }

    #[test]
    fn the_allow_list_and_the_open_policy() {
        assert!(check(&HostPolicy::default(), "http://127.0.0.1/").is_ok());
        let p = strict(&["127.0.0.1:8080", "localhost", "[::1]:80"]);
        assert!(check(&p, "http://127.0.0.1:8080/").is_ok());
        assert!(check(&p, "http://127.0.0.1:8081/").is_err(), "another port");
        assert!(check(&p, "http://localhost:1234/").is_ok());
        assert!(check(&p, "http://[::1]/").is_ok());
        assert_eq!(split_host_port("::1"), ("::1", None));
        assert_eq!(split_host_port("a.example:99"), ("a.example", Some(99)));
    }
}
