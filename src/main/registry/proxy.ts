/**
 * Which proxy a registry URL goes through, by the rules Docker and skopeo follow (Go's
 * golang.org/x/net/http/httpproxy): HTTPS_PROXY for https, HTTP_PROXY for http (upper-case names first),
 * NO_PROXY entries as host, .domain, *.domain, host:port, IP or CIDR, `*` for none; loopback is never proxied.
 */
import { BlockList, isIP } from 'node:net';
import { hostName, isLoopbackHost } from '../../shared/reference';

export interface ProxyEnv {
  HTTPS_PROXY?: string;
  https_proxy?: string;
  HTTP_PROXY?: string;
  http_proxy?: string;
  NO_PROXY?: string;
  no_proxy?: string;
}

interface NoProxyRule {
  matches(host: string, port: string): boolean;
}

function noProxyRules(value: string): NoProxyRule[] {
  const rules: NoProxyRule[] = [];
  for (const raw of value.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') {
      rules.push({ matches: () => true });
      continue;
    }
    const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
    if (cidr && isIP(cidr[1]!)) {
      const list = new BlockList();
      const family = isIP(cidr[1]!) === 6 ? 'ipv6' : 'ipv4';
      list.addSubnet(cidr[1]!, Number(cidr[2]), family);
      rules.push({ matches: (host) => isIP(host) !== 0 && list.check(host, isIP(host) === 6 ? 'ipv6' : 'ipv4') });
      continue;
    }
    const withPort = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[(.*)\](:\d+)?$/, '$1$2'))!;
    const ruleHost = withPort[1]!.replace(/^\*?\./, '');
    const rulePort = withPort[2];
    // "foo.com" matches foo.com and its subdomains; ".foo.com" and "*.foo.com" only the subdomains.
    const subdomainsOnly = entry.startsWith('.') || entry.startsWith('*.');
    rules.push({
      matches: (host, port) => {
        if (rulePort !== undefined && rulePort !== port) return false;
        if (host === ruleHost) return !subdomainsOnly;
        return host.endsWith(`.${ruleHost}`);
      },
    });
  }
  return rules;
}

/** The proxy URL for a request to `url`, or undefined to connect directly. */
export function proxyFor(url: URL, env: ProxyEnv): string | undefined {
  const host = url.host;
  if (isLoopbackHost(host)) return undefined;
  const proxy = url.protocol === 'https:' ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!proxy) return undefined;
  const name = hostName(host);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (noProxyRules(env.NO_PROXY ?? env.no_proxy ?? '').some((rule) => rule.matches(name, port))) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}
