/**
 * How a listener names a child link in its log lines and monitor events: its address until the child's
 * Hello gave its node name, then the name (quoted as JSON) with the address.
 */
export function childName(peerName: string | undefined, peer: string): string {
  return peerName === undefined ? peer : `${JSON.stringify(peerName)} (${peer})`;
}
