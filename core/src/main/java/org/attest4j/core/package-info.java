/**
 * Shared types: {@link org.attest4j.core.AttestationException} and its failure classes, {@link
 * org.attest4j.core.ReasonCode}, {@link org.attest4j.core.Bytes} and {@link
 * org.attest4j.core.ConstantTime}.
 */
package org.attest4j.core;
