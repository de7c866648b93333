package org.attest4j.kms;

/**
 * How the app identity (app_id, compose_hash, instance_id) is bound to measured data (step 5).
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum IdentityBinding {
  /**
   * dstack's merged design: HOST_DATA = SHA-256("dstack-mr-config-v3:" || 0x00 || MrConfigV3
   * document); the identity is read from the document the guest sends, whose digest the hardware
   * signed. The command line is fixed (no identity placeholders needed).
   */
  HOST_DATA,
  /**
   * The {@code GetAppKeyAmd} way, made sound: the identity values are parameters of the pinned
   * command-line template, so the kernel-hashes table, and therefore MEASUREMENT, covers them. The
   * template must contain {@code {app_id}} and {@code {compose_hash}}.
   */
  COMMAND_LINE
}
