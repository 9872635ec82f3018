package tidewater.conformance;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;

/**
 * avro-read: reads every message of a Kafka topic and decodes each value with Apache Avro
 * Java's GenericDatumReader and the given writer schema (the `Record` type of the published DTS
 * Record.avsc, or --record), as a DTS subscriber does. Prints one JSON line per message: partition, offset, the bytes left
 * after the record, and the record in Avro's own JSON encoding (unions as {"type": value},
 * bytes as one character per byte). A message that does not decode prints its error instead.
 */
public final class AvroRead {
    private AvroRead() {}

    public static void main(String[] args) throws IOException {
        Arguments arguments = Arguments.parse("avro-read", args);
        // The published file is a list of named types; the message value is one of them.
        Schema published = new Schema.Parser().parse(new File(arguments.required("schema")));
        String recordName = arguments.optional("record", "com.alibaba.dts.formats.avro.Record");
        Schema schema = published.getType() == Schema.Type.UNION
            ? published.getTypes().stream().filter(type -> type.getFullName().equals(recordName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("avro-read: no type " + recordName + " in the schema file"))
            : published;
        GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(schema);
        GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(schema);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        Duration timeout = Duration.ofMillis(Long.parseLong(arguments.optional("timeout-ms", "60000")));
        TopicReader.readAll(arguments.required("brokers"), arguments.required("topic"), timeout, record -> {
            String prefix = "{\"partition\":" + record.partition() + ",\"offset\":" + record.offset();
            try {
                BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(record.value(), null);
                GenericRecord value = reader.read(null, decoder);
                int trailing = decoder.inputStream().available();
                ByteArrayOutputStream json = new ByteArrayOutputStream();
                JsonEncoder encoder = EncoderFactory.get().jsonEncoder(schema, json);
                writer.write(value, encoder);
                encoder.flush();
                out.println(prefix + ",\"trailingBytes\":" + trailing + ",\"record\":" + json.toString(StandardCharsets.UTF_8) + "}");
            } catch (IOException | RuntimeException error) {
                out.println(prefix + ",\"error\":" + JsonText.quote(String.valueOf(error)) + "}");
            }
        });
        out.flush();
        if (out.checkError()) {
            throw new UncheckedIOException(new IOException("avro-read: writing to stdout failed"));
        }
    }
}
