// Protected mode (Redis clientAcceptHandler): with protected-mode on and no password, only
// loopback peers may connect; others get this text and are disconnected.

export const DENIED_PROTECTED_MODE =
  "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. " +
  "In this mode connections are only accepted from the loopback interface. " +
  "If you want to connect from external computers to Redis you may adopt one of the following solutions: " +
  "1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. " +
  "2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. " +
  "3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. " +
  "4) Setup a an authentication password for the default user. " +
  "NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.y.z), and for Unix sockets (""). */
export function isLoopback(address: string): boolean {
  if (address === "" || address === "::1" || address === "0:0:0:0:0:0:0:1") return true;
  let v4 = address;
  if (v4.length > 7 && v4.slice(0, 7).toLowerCase() === "::ffff:") v4 = v4.slice(7);
  if (!v4.startsWith("127.")) return false;
  const parts = v4.split(".");
  return parts.length === 4 && parts.every((p) => p.length > 0 && p.length <= 3 && Number(p) <= 255 && /^\d+$/.test(p));
}

/** Should this peer be refused with DENIED? */
export function protectedModeDenies(opts: { protectedMode: boolean; requirepass: string; remoteAddress: string }): boolean {
  return opts.protectedMode && opts.requirepass === "" && !isLoopback(opts.remoteAddress);
}
