/** The part of a (pino) logger the guards write to: an object of context, then the message. */
export interface GuardLog {
  debug(context: object, message: string): void;
  error(context: object, message: string): void;
  fatal(context: object, message: string): void;
}
