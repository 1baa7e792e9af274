/**
 * Last line of defence for the log file: services never log secrets, but a header or URL copied into a
 * message could carry one. Authorization values, tokens in JSON or query strings, and URL userinfo are masked.
 */
const PATTERNS: [RegExp, string][] = [
  [
    /(authorization|proxy-authorization|x-registry-auth)(["']?\s*[:=]\s*["']?)(basic|bearer)?\s*[^\s"',}]+/gi,
    '$1$2$3 ***',
  ],
  [
    /("?(?:password|secret|token|access_token|refresh_token|identitytoken|registrytoken|auth)"?\s*[:=]\s*)"[^"]*"/gi,
    '$1"***"',
  ],
  [/([?&](?:token|access_token|password|secret)=)[^&\s]+/gi, '$1***'],
  [/(\w+:\/\/)[^/\s:@]+:[^/\s@]+@/g, '$1***@'],
];

export function redact(text: string): string {
  return PATTERNS.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), text);
}
