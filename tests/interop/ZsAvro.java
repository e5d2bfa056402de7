// ZsAvro: an independent Avro implementation (Apache Avro's Java library),
// used ONLY by zengshou's tests to cross-check our C codec. It is not part of
// the pipeline. Run it through tests/interop/zs-avro-java, which fetches the
// jars (see pom.xml) and compiles this file; see tests/interop/README.md.
//
// Commands (exit 0 on success, 1 on a data error, 2 on a usage error):
//
//   fingerprint FILE.avsc...
//       One line per file: "<16 hex> <full name> <file basename>".
//       The hex is the CRC-64-AVRO fingerprint of the schema's Parsing
//       Canonical Form, SchemaNormalization.parsingFingerprint64(schema),
//       written as its 8 bytes in LITTLE-ENDIAN order (least significant byte
//       first), i.e. exactly the bytes 2..9 of a single-object message header,
//       lowercase. Example: "int" has fingerprint 8247732601305521295 as a
//       signed long (0x7275d51a3f395c8f), printed as 8f5c393f1ad57572.
//
//   canonical FILE.avsc
//       The Parsing Canonical Form (SchemaNormalization.toParsingForm).
//
//   encode SCHEMA.avsc IN.jsonl OUT.bin
//       IN.jsonl: one datum per line in Avro's JSON encoding (unions as
//       {"string":"x"}, bytes/fixed as ISO-8859-1 strings); blank lines are
//       skipped. Each datum is written to OUT.bin as a single-object-encoded
//       message (BinaryMessageEncoder: C3 01, 8-byte little-endian
//       fingerprint, Avro binary datum), framed by a 4-byte big-endian
//       unsigned length of the message. Stricter than Avro's JsonDecoder
//       alone: a line must hold exactly one JSON value, and a record object
//       with a key that is not a field of its schema is an error (JsonDecoder
//       would silently drop it). Nothing is written unless every line encodes.
//
//   decode SCHEMA_DIR READER.avsc IN.bin
//       Reads the same framing. Each message's writer schema is looked up by
//       its fingerprint among the *.avsc files directly in SCHEMA_DIR (only
//       those: READER.avsc counts only if it is in SCHEMA_DIR), resolved to
//       the reader schema, and printed as Avro JSON (JsonEncoder), one datum
//       per line. A bad frame, a bad header, an unknown fingerprint, a datum
//       that does not decode or resolve, or trailing bytes after the datum
//       print one "zs-avro-java: decode: ..." line to stderr and exit 1
//       (datums before it have already been printed).
//
// "-" as IN.jsonl / IN.bin means stdin, as OUT.bin stdout.
//
// Each .avsc is parsed on its own (a fresh Schema.Parser), so a schema file
// must be self-contained. Logical types are not converted: datums carry the
// underlying Avro type (timestamp-millis is a long), so the JSON round-trips
// exactly.

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonDecoder;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.message.BinaryMessageEncoder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

public final class ZsAvro {
  private static final String PROG = "zs-avro-java";
  /** Single-object encoding marker, spec "Single object encoding". */
  private static final int MAGIC0 = 0xC3, MAGIC1 = 0x01;
  private static final int HEADER_LEN = 10;

  /** A data error: reported as one line on stderr, exit 1. */
  private static final class Fail extends Exception {
    private static final long serialVersionUID = 1L;

    Fail(String msg) { super(oneLine(msg)); }
  }

  static String oneLine(String msg) {
    return String.valueOf(msg).replaceAll("\\s*\\R\\s*", " ");
  }

  public static void main(String[] args) {
    if (args.length == 0) usage("no command given");
    String cmd = args[0];
    try {
      switch (cmd) {
        case "fingerprint":
          if (args.length < 2) usage("fingerprint needs at least one FILE.avsc");
          fingerprint(args);
          break;
        case "canonical":
          if (args.length != 2) usage("canonical needs exactly one FILE.avsc");
          System.out.println(SchemaNormalization.toParsingForm(parse(args[1])));
          break;
        case "encode":
          if (args.length != 4) usage("encode needs SCHEMA.avsc IN.jsonl OUT.bin");
          encode(args[1], args[2], args[3]);
          break;
        case "decode":
          if (args.length != 4) usage("decode needs SCHEMA_DIR READER.avsc IN.bin");
          decode(args[1], args[2], args[3]);
          break;
        case "-h": case "--help": case "help":
          usage(null);
          break;
        default:
          usage("unknown command: " + cmd);
      }
    } catch (Fail e) {
      System.out.flush();
      System.err.println(PROG + ": " + cmd + ": " + e.getMessage());
      System.exit(1);
    } catch (Exception e) {
      System.out.flush();
      System.err.println(PROG + ": " + cmd + ": " + oneLine(e.toString()));
      System.exit(1);
    }
    System.out.flush();
    if (System.out.checkError()) {
      System.err.println(PROG + ": " + cmd + ": error writing standard output");
      System.exit(1);
    }
  }

  private static void usage(String problem) {
    if (problem != null) System.err.println(PROG + ": " + problem);
    System.err.println("usage: " + PROG + " fingerprint FILE.avsc...\n"
        + "       " + PROG + " canonical FILE.avsc\n"
        + "       " + PROG + " encode SCHEMA.avsc IN.jsonl OUT.bin\n"
        + "       " + PROG + " decode SCHEMA_DIR READER.avsc IN.bin");
    System.exit(problem == null ? 0 : 2);
  }

  private static Schema parse(String file) throws Fail {
    try {
      return new Schema.Parser().parse(new File(file));
    } catch (IOException | RuntimeException e) {
      throw new Fail(file + ": cannot parse schema: " + e.getMessage());
    }
  }

  /** The fingerprint as the 8 little-endian bytes of a message header, in hex. */
  static String fingerprintHex(long fp) {
    StringBuilder sb = new StringBuilder(16);
    for (int i = 0; i < 8; i++) {
      sb.append(String.format("%02x", (fp >>> (8 * i)) & 0xff));
    }
    return sb.toString();
  }

  private static void fingerprint(String[] args) throws Fail {
    for (int i = 1; i < args.length; i++) {
      Schema s = parse(args[i]);
      long fp = SchemaNormalization.parsingFingerprint64(s);
      System.out.println(fingerprintHex(fp) + " " + s.getFullName() + " "
          + Paths.get(args[i]).getFileName());
    }
  }

  private static void encode(String schemaFile, String in, String out) throws Exception {
    Schema schema = parse(schemaFile);
    GenericDatumReader<Object> reader = new GenericDatumReader<>(schema, schema, GenericData.get());
    BinaryMessageEncoder<Object> enc = new BinaryMessageEncoder<>(GenericData.get(), schema);
    List<String> lines = readLines(in);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    DataOutputStream frames = new DataOutputStream(buf);
    int lineNo = 0;
    for (String line : lines) {
      lineNo++;
      if (line.trim().isEmpty()) continue;
      Object datum;
      try {
        JsonDecoder dec = DecoderFactory.get().jsonDecoder(schema, line);
        datum = reader.read(null, dec);
      } catch (IOException | RuntimeException e) {
        throw new Fail(in + ":" + lineNo + ": not a valid Avro JSON datum of "
            + schema.getFullName() + ": " + e.getMessage());
      }
      try {
        checkStrict(schema, STRICT_JSON.readTree(line), "$");
      } catch (JsonProcessingException e) {
        throw new Fail(in + ":" + lineNo + ": not a single JSON value: " + e.getOriginalMessage());
      } catch (Fail e) {
        throw new Fail(in + ":" + lineNo + ": " + e.getMessage());
      }
      ByteBuffer msg;
      try {
        msg = enc.encode(datum);
      } catch (IOException | RuntimeException e) {
        throw new Fail(in + ":" + lineNo + ": cannot encode: " + e.getMessage());
      }
      frames.writeInt(msg.remaining()); // DataOutputStream: big-endian
      frames.write(msg.array(), msg.arrayOffset() + msg.position(), msg.remaining());
    }
    frames.flush();
    // Write the file only once every line has encoded.
    if (out.equals("-")) {
      buf.writeTo(System.out);
    } else {
      try (OutputStream os = new FileOutputStream(out)) {
        buf.writeTo(os);
      }
    }
  }

  private static final ObjectMapper STRICT_JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /**
   * Rejects record keys that are not fields of the schema, anywhere in the
   * datum (JsonDecoder ignores them). Type errors are JsonDecoder's to report,
   * so anything that does not match the schema's shape here is skipped.
   */
  private static void checkStrict(Schema s, JsonNode n, String path) throws Fail {
    switch (s.getType()) {
      case RECORD:
        if (!n.isObject()) return;
        for (var it = n.fieldNames(); it.hasNext();) {
          String k = it.next();
          Schema.Field f = s.getField(k);
          if (f == null) {
            throw new Fail(path + ": key \"" + k + "\" is not a field of record " + s.getFullName());
          }
          checkStrict(f.schema(), n.get(k), path + "." + k);
        }
        return;
      case ARRAY:
        if (!n.isArray()) return;
        for (int i = 0; i < n.size(); i++) checkStrict(s.getElementType(), n.get(i), path + "[" + i + "]");
        return;
      case MAP:
        if (!n.isObject()) return;
        for (var it = n.fields(); it.hasNext();) {
          var e = it.next();
          checkStrict(s.getValueType(), e.getValue(), path + "[\"" + e.getKey() + "\"]");
        }
        return;
      case UNION:
        if (!n.isObject() || n.size() != 1) return;
        String branch = n.fieldNames().next();
        for (Schema b : s.getTypes()) {
          if (b.getFullName().equals(branch)) {
            checkStrict(b, n.get(branch), path + "<" + branch + ">");
            return;
          }
        }
        return;
      default:
        return;
    }
  }

  private static List<String> readLines(String in) throws IOException {
    byte[] data = in.equals("-") ? readAll(System.in) : Files.readAllBytes(Paths.get(in));
    String text = new String(data, StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>();
    for (String l : text.split("\r?\n", -1)) lines.add(l);
    return lines;
  }

  private static byte[] readAll(InputStream is) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] chunk = new byte[65536];
    int n;
    while ((n = is.read(chunk)) > 0) b.write(chunk, 0, n);
    return b.toByteArray();
  }

  private static void decode(String dir, String readerFile, String in) throws Exception {
    Schema readerSchema = parse(readerFile);

    // Writer schemas: every *.avsc directly in dir, by fingerprint. Schemas
    // with the same canonical form (e.g. differing only in doc or defaults)
    // share a fingerprint; the first file in name order is kept.
    Map<Long, Schema> writers = new HashMap<>();
    List<Path> files = new ArrayList<>();
    try (var stream = Files.newDirectoryStream(Paths.get(dir), "*.avsc")) {
      for (Path p : stream) files.add(p);
    } catch (IOException e) {
      throw new Fail(dir + ": cannot list schema directory: " + e.getMessage());
    }
    files.sort(null);
    for (Path p : files) {
      Schema s = parse(p.toString());
      writers.putIfAbsent(SchemaNormalization.parsingFingerprint64(s), s);
    }

    byte[] data = in.equals("-") ? readAll(System.in) : Files.readAllBytes(Paths.get(in));
    Map<Long, GenericDatumReader<Object>> readers = new HashMap<>();
    OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out));
    int pos = 0, msgNo = 0;
    try {
      while (pos < data.length) {
        msgNo++;
        String where = in + ": message " + msgNo + " (frame at byte offset " + pos + ")";
        if (data.length - pos < 4) {
          throw new Fail(where + ": truncated length prefix (" + (data.length - pos) + " bytes left)");
        }
        long len = ((data[pos] & 0xffL) << 24) | ((data[pos + 1] & 0xffL) << 16)
            | ((data[pos + 2] & 0xffL) << 8) | (data[pos + 3] & 0xffL);
        pos += 4;
        if (len > data.length - pos) {
          throw new Fail(where + ": length " + len + " exceeds the " + (data.length - pos)
              + " bytes left");
        }
        int start = pos, end = pos + (int) len;
        pos = end;
        if (len < HEADER_LEN) {
          throw new Fail(where + ": message of " + len + " bytes is shorter than the "
              + HEADER_LEN + "-byte single-object header");
        }
        if ((data[start] & 0xff) != MAGIC0 || (data[start + 1] & 0xff) != MAGIC1) {
          throw new Fail(where + String.format(": bad single-object marker %02x %02x (want c3 01)",
              data[start] & 0xff, data[start + 1] & 0xff));
        }
        long fp = 0;
        for (int i = 0; i < 8; i++) fp |= (data[start + 2 + i] & 0xffL) << (8 * i); // little-endian
        Schema writer = writers.get(fp);
        if (writer == null) {
          throw new Fail(where + ": unknown schema fingerprint " + fingerprintHex(fp)
              + " (no *.avsc in " + dir + " has it)");
        }
        GenericDatumReader<Object> reader = readers.computeIfAbsent(fp,
            k -> new GenericDatumReader<>(writer, readerSchema, GenericData.get()));
        Object datum;
        BinaryDecoder bd = DecoderFactory.get().binaryDecoder(data, start + HEADER_LEN,
            end - start - HEADER_LEN, null);
        try {
          datum = reader.read(null, bd);
        } catch (IOException | RuntimeException e) {
          throw new Fail(where + ": cannot decode datum (writer " + writer.getFullName()
              + " " + fingerprintHex(fp) + ", reader " + readerSchema.getFullName() + "): " + e);
        }
        if (!bd.isEnd()) {
          throw new Fail(where + ": trailing bytes after the datum");
        }
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        JsonEncoder je = EncoderFactory.get().jsonEncoder(readerSchema, json);
        new GenericDatumWriter<Object>(readerSchema, GenericData.get()).write(datum, je);
        je.flush();
        json.write('\n');
        json.writeTo(out);
      }
    } finally {
      out.flush();
    }
  }
}
