/**
 * Intel TDX attestation: {@link org.attest4j.tdx.TdxQuote} (quote v4/v5 parsing), {@link
 * org.attest4j.tdx.TdxVerifier} (DCAP verification against {@link org.attest4j.tdx.TdxCollateral}
 * at an instant, giving a {@link org.attest4j.tdx.TdxVerdict}), {@link org.attest4j.tdx.TdxPolicy}
 * (acceptance, strict by default), event-log replay ({@link org.attest4j.tdx.CcelEventLog}, {@link
 * org.attest4j.tdx.DstackEventLog}) and dstack's app identity ({@link
 * org.attest4j.tdx.DstackAppInfo}). Refusals carry a {@link org.attest4j.tdx.TdxReason}.
 */
package org.attest4j.tdx;
