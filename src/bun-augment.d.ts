// bun-types 1.4.5 declares `reusePort` on Bun.connect's options but the runtime honours it on
// Bun.listen (oven-sh/bun#41899). This augmentation lets `tsc` accept it where it works.
import "bun";
declare module "bun" {
  interface TCPSocketListenOptions<Data> {
    reusePort?: boolean;
    ipv6Only?: boolean;
  }
}
