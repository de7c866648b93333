package org.attest4j.core;

/**
 * A stable, machine-readable reason for a refusal. Every attest4j module defines its reasons as an
 * enum implementing this interface (for example {@code SnpReason}); the enum constant's
 * {@link #name()} is the stable code that callers may log, count or switch on.
 *
 * <p>Implementations are enums and therefore immutable and thread-safe.
 */
public interface ReasonCode {
  /**
   * The stable code, for example {@code "TCB_MISMATCH"}. Implemented by {@link Enum#name()}.
   *
   * @return the enum constant's name, stable across releases
   */
  String name();

  /**
   * The stable code qualified by the enum that defines it, for example {@code SnpReason.TCB_MISMATCH}.
   *
   * @return the defining class's simple name, a dot, and {@link #name()}
   */
  default String qualifiedCode() {
    return getClass().getSimpleName() + "." + name();
  }
}
