package org.attest4j.azure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.attest4j.azure.tpm.Pcrs;
import org.attest4j.azure.tpm.TpmHash;
import org.attest4j.core.Bytes;
import org.attest4j.core.ConstantTime;
import org.attest4j.core.PolicyViolationException;

/**
 * The relying party's policy on a <em>valid</em> {@link AzureVerification}: expected SHA-256 PCR
 * values (for example the paravisor's and the boot chain's, or PCR 8 from confidential-containers'
 * init-data) and {@code vm-configuration} flags (secure boot on, TPM enabled, serial console off).
 * Hardware-report policy (SNP measurement, TCB; TD mr_td) stays with {@code SnpPolicy} / {@code
 * TdxPolicy} applied to the inner report. Immutable and thread-safe.
 */
public final class AzurePolicy {
  private final Map<Integer, Bytes> pcrs;
  private final Map<String, Boolean> flags;

  private AzurePolicy(Builder b) {
    this.pcrs = Collections.unmodifiableMap(new TreeMap<>(b.pcrs));
    this.flags = Collections.unmodifiableMap(new TreeMap<>(b.flags));
  }

  /**
   * A builder with no rules.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The recommended flags: {@code secure-boot} true, {@code tpm-enabled} true, {@code console-enabled}
   * false; no PCR pinned.
   *
   * @return a builder with those rules
   */
  public static Builder recommended() {
    return builder().requireSecureBoot().requireTpmEnabled().requireConsoleDisabled();
  }

  /**
   * Every rule the verification breaks; a verification that is not valid breaks the first rule.
   *
   * @param v the verification
   * @return the violations, empty when the policy is met
   */
  public List<PolicyViolationException.Violation> check(AzureVerification v) {
    Objects.requireNonNull(v, "verification");
    List<PolicyViolationException.Violation> out = new ArrayList<>();
    if (!v.valid()) {
      out.add(new PolicyViolationException.Violation(AzureReason.POLICY_MISMATCH, "valid",
          "the evidence did not verify (failed " + v.failedChecks() + "); no policy applies to it"));
      return out;
    }
    for (Map.Entry<Integer, Bytes> e : pcrs.entrySet()) {
      Optional<Bytes> got = v.pcr(TpmHash.SHA256, e.getKey());
      if (got.isEmpty() || !ConstantTime.equals(got.get().toByteArray(), e.getValue().toByteArray())) {
        out.add(new PolicyViolationException.Violation(AzureReason.POLICY_MISMATCH, "pcr" + e.getKey(),
            "SHA-256 PCR " + e.getKey() + " is " + got.map(Bytes::toHex).orElse("not quoted") + ", expected "
                + e.getValue().toHex()));
      }
    }
    RuntimeClaims c = v.claims().orElse(null);
    for (Map.Entry<String, Boolean> e : flags.entrySet()) {
      Optional<Boolean> got = c == null ? Optional.empty() : c.vmFlag(e.getKey());
      if (got.isEmpty() || got.get() != e.getValue().booleanValue()) {
        out.add(new PolicyViolationException.Violation(AzureReason.POLICY_MISMATCH, e.getKey(),
            "vm-configuration " + e.getKey() + " is " + got.map(String::valueOf).orElse("absent") + ", expected "
                + e.getValue()));
      }
    }
    return out;
  }

  /**
   * Refuses a verification that breaks any rule.
   *
   * @param v the verification
   * @throws PolicyViolationException with every broken rule
   */
  public void validate(AzureVerification v) throws PolicyViolationException {
    List<PolicyViolationException.Violation> out = check(v);
    if (!out.isEmpty()) {
      throw new PolicyViolationException(out);
    }
  }

  @Override
  public String toString() {
    return "AzurePolicy[pcrs " + pcrs.keySet() + ", flags " + flags + "]";
  }

  /** Collects rules; not thread-safe. */
  public static final class Builder {
    private final Map<Integer, Bytes> pcrs = new TreeMap<>();
    private final Map<String, Boolean> flags = new TreeMap<>();

    private Builder() {}

    /**
     * Pins a SHA-256 PCR.
     *
     * @param index 0..23
     * @param value the 32-byte value
     * @return this builder
     */
    public Builder pcr(int index, Bytes value) {
      if (index < 0 || index > 23 || value.length() != 32) {
        throw new IllegalArgumentException("a SHA-256 PCR is 0..23 with a 32-byte value");
      }
      pcrs.put(index, value);
      return this;
    }

    /**
     * Pins PCR 8 to confidential-containers' init-data binding: SHA-256(32 zero bytes || digest).
     *
     * @param initDataDigest the 32-byte init-data digest
     * @return this builder
     */
    public Builder initData(Bytes initDataDigest) {
      return pcr(8, Pcrs.replay(TpmHash.SHA256, List.of(initDataDigest)));
    }

    /**
     * Requires a boolean {@code vm-configuration} member to have a value.
     *
     * @param name the member, for example {@code secure-boot}
     * @param value the required value
     * @return this builder
     */
    public Builder vmFlag(String name, boolean value) {
      flags.put(Objects.requireNonNull(name, "name"), value);
      return this;
    }

    /**
     * {@code secure-boot} must be true.
     *
     * @return this builder
     */
    public Builder requireSecureBoot() {
      return vmFlag("secure-boot", true);
    }

    /**
     * {@code tpm-enabled} must be true.
     *
     * @return this builder
     */
    public Builder requireTpmEnabled() {
      return vmFlag("tpm-enabled", true);
    }

    /**
     * {@code console-enabled} must be false.
     *
     * @return this builder
     */
    public Builder requireConsoleDisabled() {
      return vmFlag("console-enabled", false);
    }

    /**
     * The policy.
     *
     * @return the policy
     */
    public AzurePolicy build() {
      return new AzurePolicy(this);
    }
  }
}
