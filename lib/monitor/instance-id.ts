/**
 * A short random id for one node instance (8 hexadecimal digits), so a restarted node, or two nodes of
 * one name, publish monitor objects of different descriptors. Web Crypto's random source, available in
 * browsers and Node alike.
 */
export function instanceId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  let id = "";
  for (const byte of bytes) id += byte.toString(16).padStart(2, "0");
  return id;
}
