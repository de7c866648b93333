package org.attest4j.kms;

import org.attest4j.core.Bytes;
import org.attest4j.core.VerificationException;

/**
 * The app identity step 5 bound to measured data: app_id (20 bytes), compose_hash (32) and
 * instance_id (20 or empty). Immutable and thread-safe.
 */
record AppIdentity(Bytes appId, Bytes composeHash, Bytes instanceId) {
  /** No claimed identity: RA-TLS requests name no app, the replayed events do. */
  static final AppIdentity UNCLAIMED = new AppIdentity(Bytes.empty(), Bytes.empty(), Bytes.empty());

  /** Refuses a requested value that differs from the bound one ({@link KmsReason#IDENTITY_MISMATCH}). */
  static void requireSame(String field, Bytes requested, Bytes bound, String where) throws VerificationException {
    if (requested.length() != 0 && !requested.equals(bound)) {
      throw new VerificationException(
          KmsReason.IDENTITY_MISMATCH,
          "the request asks for " + field + " " + requested + " but " + where + " binds " + field + " "
              + (bound.length() == 0 ? "(none)" : bound.toString()));
    }
  }

  /** A key id for messages: its first and last 8 hex digits. */
  static String abbreviate(Bytes b) {
    String h = b.toHex();
    return h.length() <= 16 ? h : h.substring(0, 8) + "..." + h.substring(h.length() - 8);
  }
}
