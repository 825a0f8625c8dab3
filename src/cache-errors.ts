// Typed errors of the embedded Cache, carrying the text Redis answers in the same case.
import { ERR_WRONGTYPE } from "./protocol/errors.ts";

/** Thrown where Redis answers WRONGTYPE: the key holds a value of another type. */
export class WrongTypeError extends TypeError {
  constructor() {
    super(ERR_WRONGTYPE);
    this.name = "WrongTypeError";
  }
}
