package org.attest4j.ratls;

import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;

/**
 * The software half of a dstack attestation (V1 {@code stack}): the report_data the platform
 * evidence must carry, the runtime events and the guest's vm_config. Every implementation is an
 * immutable, thread-safe record.
 */
public sealed interface StackEvidence permits StackEvidence.Dstack, StackEvidence.DstackPod {

  /**
   * The V1 tag of this stack.
   *
   * @return {@code "dstack"} or {@code "dstack-pod"}
   */
  String kind();

  /**
   * The report_data the platform evidence must carry (64 bytes for a usable attestation).
   *
   * @return report_data
   */
  Bytes reportData();

  /**
   * The runtime events (RTMR3 / PCR 14 replay input).
   *
   * @return the events, in order
   */
  List<RuntimeEvent> runtimeEvents();

  /**
   * The guest's configuration (vm_config JSON; not covered by any measurement).
   *
   * @return the config string
   */
  String config();

  /**
   * The standard dstack stack.
   *
   * @param reportData report_data
   * @param runtimeEvents runtime events
   * @param config vm_config JSON
   */
  record Dstack(Bytes reportData, List<RuntimeEvent> runtimeEvents, String config)
      implements StackEvidence {
    /**
     * Copies the events.
     *
     * @param reportData report_data
     * @param runtimeEvents runtime events
     * @param config config
     */
    public Dstack {
      Objects.requireNonNull(reportData, "reportData");
      runtimeEvents = List.copyOf(runtimeEvents);
      Objects.requireNonNull(config, "config");
    }

    @Override
    public String kind() {
      return "dstack";
    }
  }

  /**
   * dstack-pod: report_data is SHA-512("app-data:" ‖ payload); defined upstream, produced nowhere.
   *
   * @param reportData report_data
   * @param runtimeEvents runtime events
   * @param config config
   * @param reportDataPayload the payload report_data hashes
   */
  record DstackPod(
      Bytes reportData, List<RuntimeEvent> runtimeEvents, String config, String reportDataPayload)
      implements StackEvidence {
    /**
     * Copies the events.
     *
     * @param reportData report_data
     * @param runtimeEvents runtime events
     * @param config config
     * @param reportDataPayload payload
     */
    public DstackPod {
      Objects.requireNonNull(reportData, "reportData");
      runtimeEvents = List.copyOf(runtimeEvents);
      Objects.requireNonNull(config, "config");
      Objects.requireNonNull(reportDataPayload, "reportDataPayload");
    }

    @Override
    public String kind() {
      return "dstack-pod";
    }
  }
}
