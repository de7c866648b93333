package org.attest4j.core;

/** Reasons shared by every module: generic structural failures of evidence and inputs. */
public enum CoreReason implements ReasonCode {
  /** Input ended before a field it declares. */
  TRUNCATED,
  /** Input has a length other than the one the format requires. */
  BAD_LENGTH,
  /** A field holds a value the format does not allow. */
  BAD_FIELD,
  /** A field that must be zero is not. */
  NONZERO_RESERVED,
  /** A required input is missing. */
  MISSING_INPUT,
  /** Bad text encoding (hex, base64, PEM, JSON). */
  BAD_ENCODING,
  /** An I/O failure while reading evidence or endorsements. */
  IO_ERROR
}
