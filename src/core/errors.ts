/**
 * The error every Trainyard construct throws for props, config or arguments it cannot accept.
 *
 * The message always names the offending prop (`MlPlatform.maxAzs`, ...) and what is allowed,
 * so a bad value fails at synth with an actionable message instead of at deploy time.
 *
 * Not part of the jsii API (jsii cannot export subclasses of Error): callers in other languages use
 * `TrainyardErrors.isValidationError`.
 */
export class TrainyardValidationError extends Error {
  /** The prop, config path or argument that was rejected. */
  public readonly prop: string;

  constructor(prop: string, message: string) {
    super(`${prop}: ${message}`);
    this.name = 'TrainyardValidationError';
    this.prop = prop;
    Object.setPrototypeOf(this, TrainyardValidationError.prototype);
  }
}

