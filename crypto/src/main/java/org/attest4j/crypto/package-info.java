/**
 * attest4j crypto: dstack-compatible app-key derivation ({@link org.attest4j.crypto.KmsRootKeys},
 * {@link org.attest4j.crypto.AppKeyDeriver}, {@link org.attest4j.crypto.AppKeys}), the response
 * envelopes that carry the keys to the guest ({@link org.attest4j.crypto.SealedResponse}, signed
 * HPKE; {@link org.attest4j.crypto.Pr630Envelope}, dstack PR #630 compatibility), and the bindings
 * between a guest's report and its identity ({@link org.attest4j.crypto.ReportData},
 * {@link org.attest4j.crypto.MrConfigV3}, {@link org.attest4j.crypto.MrConfigId}).
 */
package org.attest4j.crypto;
