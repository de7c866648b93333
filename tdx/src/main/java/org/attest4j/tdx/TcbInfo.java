package org.attest4j.tdx;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;

/** Parsed Intel TCB info (the {@code tcbInfo} JSON value). Immutable. */
final class TcbInfo {
  /** One platform TCB level. */
  static final class Level {
    final int[] sgx = new int[16];
    final int pceSvn;
    final int[] tdx = new int[16];
    final Instant tcbDate;
    final String status;
    final List<String> advisoryIds;

    Level(Json j, JsonObject o) throws MalformedEvidenceException {
      JsonObject tcb = j.object(o, "tcb");
      JsonArray s = j.array(tcb, "sgxtcbcomponents");
      JsonArray t = j.array(tcb, "tdxtcbcomponents");
      if (s.size() != 16 || t.size() != 16) {
        throw j.error("tcbLevels: sgxtcbcomponents and tdxtcbcomponents must have 16 entries");
      }
      for (int i = 0; i < 16; i++) {
        sgx[i] = (int) j.integer(j.object(s.get(i), "sgxtcbcomponents[" + i + "]"), "svn", 0, 255);
        tdx[i] = (int) j.integer(j.object(t.get(i), "tdxtcbcomponents[" + i + "]"), "svn", 0, 255);
      }
      this.pceSvn = (int) j.integer(tcb, "pcesvn", 0, 65535);
      this.tcbDate = j.instant(o, "tcbDate");
      this.status = j.string(o, "tcbStatus");
      this.advisoryIds = j.stringList(o, "advisoryIDs");
    }
  }

  /** A TDX module TCB level (by the module's isvsvn = tee_tcb_svn[0]). */
  static final class ModuleLevel {
    final int isvSvn;
    final Instant tcbDate;
    final String status;
    final List<String> advisoryIds;

    ModuleLevel(Json j, JsonObject o) throws MalformedEvidenceException {
      this.isvSvn = (int) j.integer(j.object(o, "tcb"), "isvsvn", 0, 255);
      this.tcbDate = j.instant(o, "tcbDate");
      this.status = j.string(o, "tcbStatus");
      this.advisoryIds = j.stringList(o, "advisoryIDs");
    }
  }

  /** A TDX module identity ({@code tdxModule} or a {@code tdxModuleIdentities} entry). */
  static final class Module {
    final String id;
    final Bytes mrSigner;
    final long attributes;
    final long attributesMask;
    final List<ModuleLevel> levels;

    Module(Json j, JsonObject o, boolean withLevels) throws MalformedEvidenceException {
      this.id = withLevels ? j.string(o, "id") : null;
      this.mrSigner = Bytes.of(j.hex(o, "mrsigner", 48));
      this.attributes = le64(j.hex(o, "attributes", 8));
      this.attributesMask = le64(j.hex(o, "attributesMask", 8));
      List<ModuleLevel> l = new ArrayList<>();
      if (withLevels) {
        for (JsonElement e : j.array(o, "tcbLevels")) {
          l.add(new ModuleLevel(j, j.object(e, "tcbLevels[]")));
        }
      }
      this.levels = List.copyOf(l);
    }
  }

  final String id;
  final int version;
  final Instant issueDate;
  final Instant nextUpdate;
  final Bytes fmspc;
  final Bytes pceId;
  final long tcbEvaluationDataNumber;
  final Module tdxModule;
  final List<Module> moduleIdentities;
  final List<Level> levels;

  private TcbInfo(byte[] exact) throws MalformedEvidenceException {
    Json j = new Json(TdxReason.COLLATERAL_MALFORMED, "TCB info");
    JsonObject o = j.object(j.parse(new String(exact, StandardCharsets.UTF_8)), "tcbInfo");
    this.id = j.string(o, "id");
    this.version = (int) j.integer(o, "version", 0, 1000);
    this.issueDate = j.instant(o, "issueDate");
    this.nextUpdate = j.instant(o, "nextUpdate");
    this.fmspc = Bytes.of(j.hex(o, "fmspc", 6));
    this.pceId = Bytes.of(j.hex(o, "pceId", 2));
    this.tcbEvaluationDataNumber = j.integer(o, "tcbEvaluationDataNumber", 0, Integer.MAX_VALUE);
    this.tdxModule = o.has("tdxModule") ? new Module(j, j.object(o, "tdxModule"), false) : null;
    List<Module> ids = new ArrayList<>();
    if (o.has("tdxModuleIdentities")) {
      for (JsonElement e : j.array(o, "tdxModuleIdentities")) {
        ids.add(new Module(j, j.object(e, "tdxModuleIdentities[]"), true));
      }
    }
    this.moduleIdentities = List.copyOf(ids);
    List<Level> l = new ArrayList<>();
    if (!"TDX".equals(id)) {
      // SGX TCB info has another level layout; it is refused by the verifier by id.
      this.levels = List.of();
      return;
    }
    for (JsonElement e : j.array(o, "tcbLevels")) {
      l.add(new Level(j, j.object(e, "tcbLevels[]")));
    }
    // Descending by (sgx components, pcesvn, tdx components), stable, as dcap-qvl does.
    l.sort(LEVEL_ORDER.reversed());
    this.levels = List.copyOf(l);
  }

  static final Comparator<Level> LEVEL_ORDER =
      (a, b) -> {
        for (int i = 0; i < 16; i++) {
          if (a.sgx[i] != b.sgx[i]) {
            return Integer.compare(a.sgx[i], b.sgx[i]);
          }
        }
        if (a.pceSvn != b.pceSvn) {
          return Integer.compare(a.pceSvn, b.pceSvn);
        }
        for (int i = 0; i < 16; i++) {
          if (a.tdx[i] != b.tdx[i]) {
            return Integer.compare(a.tdx[i], b.tdx[i]);
          }
        }
        return 0;
      };

  static TcbInfo parse(byte[] exact) throws MalformedEvidenceException {
    return new TcbInfo(exact);
  }

  static long le64(byte[] b) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }
}
