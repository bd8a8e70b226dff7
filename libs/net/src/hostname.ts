/**
 * Hosts that can only be this machine (the local emulator, a local trial). Not `*.localhost`: outside
 * a resolver that special-cases it (nss-myhostname), that name goes to DNS.
 */
export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
