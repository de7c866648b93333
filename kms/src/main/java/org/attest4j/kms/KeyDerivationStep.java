package org.attest4j.kms;

import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;

/**
 * Step 8 for every path: the app keys of an identity, derived from the root keys exactly as dstack
 * derives them and memoized per (app_id, instance_id). Immutable (the memo is a thread-safe cache
 * of recomputable values) and thread-safe.
 */
final class KeyDerivationStep {
  private final Ports.KeyPort keys;
  private final BoundedCache<Bytes, Object> appKeys;

  /**
   * @param keys the root keys
   * @param cacheSize derived key sets kept (0 disables the memo)
   */
  KeyDerivationStep(Ports.KeyPort keys, int cacheSize) {
    this.keys = keys;
    this.appKeys = new BoundedCache<>(cacheSize);
  }

  /** The app keys of {@code id} (an opaque handle of the key port; secrets never leave it). */
  Object derive(AppIdentity id) throws AttestationException {
    Bytes keyId = Bytes.of(concat(id.appId().toByteArray(), id.instanceId().toByteArray()));
    Object derived = appKeys.get(keyId);
    if (derived == null) {
      derived = keys.derive(id.appId(), id.instanceId());
      appKeys.put(keyId, derived);
    }
    return derived;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
