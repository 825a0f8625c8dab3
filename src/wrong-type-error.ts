// The embedded Cache's typed error where Redis answers WRONGTYPE (same text as the server's reply).
import { ERR_WRONGTYPE } from "./protocol/errors.ts";

export class WrongTypeError extends TypeError {
  constructor() {
    super(ERR_WRONGTYPE);
    this.name = "WrongTypeError";
  }
}
