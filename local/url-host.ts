/** A host as a URL names it: an IPv6 address goes in brackets. */
export const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);
