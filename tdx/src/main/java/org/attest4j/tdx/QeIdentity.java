package org.attest4j.tdx;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;

/** Parsed Intel QE identity (the {@code enclaveIdentity} JSON value). Immutable. */
final class QeIdentity {
  /** One QE TCB level. */
  static final class Level {
    final int isvSvn;
    final Instant tcbDate;
    final String status;
    final List<String> advisoryIds;

    Level(Json j, JsonObject o) throws MalformedEvidenceException {
      this.isvSvn = (int) j.integer(j.object(o, "tcb"), "isvsvn", 0, 65535);
      this.tcbDate = j.instant(o, "tcbDate");
      this.status = j.string(o, "tcbStatus");
      this.advisoryIds = j.stringList(o, "advisoryIDs");
    }
  }

  final String id;
  final int version;
  final Instant issueDate;
  final Instant nextUpdate;
  final long tcbEvaluationDataNumber;
  final long miscSelect;
  final long miscSelectMask;
  final byte[] attributes;
  final byte[] attributesMask;
  final Bytes mrSigner;
  final int isvProdId;
  final List<Level> levels;

  private QeIdentity(byte[] exact) throws MalformedEvidenceException {
    Json j = new Json(TdxReason.COLLATERAL_MALFORMED, "QE identity");
    JsonObject o = j.object(j.parse(new String(exact, StandardCharsets.UTF_8)), "enclaveIdentity");
    this.id = j.string(o, "id");
    this.version = (int) j.integer(o, "version", 0, 1000);
    this.issueDate = j.instant(o, "issueDate");
    this.nextUpdate = j.instant(o, "nextUpdate");
    this.tcbEvaluationDataNumber = j.integer(o, "tcbEvaluationDataNumber", 0, Integer.MAX_VALUE);
    this.miscSelect = le32(j.hex(o, "miscselect", 4));
    this.miscSelectMask = le32(j.hex(o, "miscselectMask", 4));
    this.attributes = j.hex(o, "attributes", 16);
    this.attributesMask = j.hex(o, "attributesMask", 16);
    this.mrSigner = Bytes.of(j.hex(o, "mrsigner", 32));
    this.isvProdId = (int) j.integer(o, "isvprodid", 0, 65535);
    List<Level> l = new ArrayList<>();
    for (JsonElement e : j.array(o, "tcbLevels")) {
      l.add(new Level(j, j.object(e, "tcbLevels[]")));
    }
    l.sort((a, b) -> Integer.compare(b.isvSvn, a.isvSvn));
    this.levels = List.copyOf(l);
  }

  static QeIdentity parse(byte[] exact) throws MalformedEvidenceException {
    return new QeIdentity(exact);
  }

  /** The 4 hex bytes read as a little-endian u32, as dcap-qvl does. */
  static long le32(byte[] b) {
    return (b[0] & 0xffL) | (b[1] & 0xffL) << 8 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 24;
  }
}
