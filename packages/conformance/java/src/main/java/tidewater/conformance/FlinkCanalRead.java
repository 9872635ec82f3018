package tidewater.conformance;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.json.canal.CanalJsonDeserializationSchema;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import org.apache.flink.table.types.utils.TypeConversions;
import org.apache.flink.util.Collector;
import org.apache.flink.util.UserCodeClassLoader;

/**
 * flink-canal-read: reads every message of a Kafka topic and hands its bytes to Flink's
 * `canal-json` format (CanalJsonDeserializationSchema, as the Kafka connector with
 * `'format' = 'canal-json'` does, default options), once per declared table schema. No Flink
 * cluster: the deserializer is built from a RowType and fed the value bytes.
 *
 * --declarations names a file with one declaration per line, tab-separated: a name, the table
 * (the format's `canal-json.table.include`, a regular expression) and the row type in Flink
 * SQL, e.g. `orders<TAB>orders<TAB>ROW<`id` INT, `price` DECIMAL(10, 2)>`. Prints one JSON line
 * per message and declaration that produced rows or an error: the rows (RowKind short string
 * and each field as text), or the error Flink raised for the message. Messages of other tables,
 * and DDL of type CREATE, produce nothing.
 */
public final class FlinkCanalRead {
    private static final DateTimeFormatter SQL_TIMESTAMP = new DateTimeFormatterBuilder()
        .append(DateTimeFormatter.ISO_LOCAL_DATE)
        .appendLiteral(' ')
        .append(DateTimeFormatter.ISO_LOCAL_TIME)
        .toFormatter();

    private FlinkCanalRead() {}

    private record Declaration(String name, RowType rowType, CanalJsonDeserializationSchema schema) {}

    public static void main(String[] args) throws Exception {
        Arguments arguments = Arguments.parse("flink-canal-read", args);
        List<Declaration> declarations = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(arguments.required("declarations")), StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.split("\t", 3);
            RowType rowType = (RowType) LogicalTypeParser.parse(parts[2]);
            CanalJsonDeserializationSchema schema = CanalJsonDeserializationSchema
                .builder(TypeConversions.fromLogicalToDataType(rowType), List.of(), TypeInformation.of(RowData.class))
                .setTable(parts[1])
                .build();
            schema.open(new StandaloneContext());
            declarations.add(new Declaration(parts[0], rowType, schema));
        }

        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        Duration timeout = Duration.ofMillis(Long.parseLong(arguments.optional("timeout-ms", "60000")));
        TopicReader.readAll(arguments.required("brokers"), arguments.required("topic"), timeout, record -> {
            for (Declaration declaration : declarations) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("declaration", declaration.name());
                line.put("partition", record.partition());
                line.put("offset", record.offset());
                List<Map<String, Object>> rows = new ArrayList<>();
                try {
                    declaration.schema().deserialize(record.value(), new Collector<RowData>() {
                        @Override
                        public void collect(RowData row) {
                            rows.add(describe(declaration.rowType(), row));
                        }

                        @Override
                        public void close() {}
                    });
                    if (rows.isEmpty()) {
                        continue;
                    }
                    line.put("rows", rows);
                } catch (IOException | RuntimeException error) {
                    line.put("error", rootCause(error));
                }
                out.println(JsonText.of(line));
            }
        });
        out.flush();
    }

    private static String rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private static Map<String, Object> describe(RowType rowType, RowData row) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < rowType.getFieldCount(); i++) {
            LogicalType type = rowType.getTypeAt(i);
            Object value = RowData.createFieldGetter(type, i).getFieldOrNull(row);
            fields.put(rowType.getFieldNames().get(i), value == null ? null : text(type, value));
        }
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("kind", row.getRowKind().shortString());
        described.put("fields", fields);
        return described;
    }

    /** A field's internal value as text: what a Flink SQL query would show for it. */
    private static String text(LogicalType type, Object value) {
        switch (type.getTypeRoot()) {
            case DATE:
                return LocalDate.ofEpochDay((Integer) value).toString();
            case TIME_WITHOUT_TIME_ZONE:
                return DateTimeFormatter.ISO_LOCAL_TIME.format(LocalTime.ofNanoOfDay((Integer) value * 1_000_000L));
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return SQL_TIMESTAMP.format(((TimestampData) value).toLocalDateTime());
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return ((TimestampData) value).toInstant().toString();
            case DECIMAL:
                return ((DecimalData) value).toBigDecimal().toPlainString();
            case BINARY:
            case VARBINARY:
                return HexFormat.of().formatHex((byte[]) value);
            default:
                return value.toString();
        }
    }

    /** What DeserializationSchema.open needs outside a job: nothing the JSON format uses. */
    private static final class StandaloneContext implements DeserializationSchema.InitializationContext {
        @Override
        public MetricGroup getMetricGroup() {
            throw new UnsupportedOperationException("no metrics outside a Flink job");
        }

        @Override
        public UserCodeClassLoader getUserCodeClassLoader() {
            ClassLoader loader = FlinkCanalRead.class.getClassLoader();
            return new UserCodeClassLoader() {
                @Override
                public ClassLoader asClassLoader() {
                    return loader;
                }

                @Override
                public void registerReleaseHookIfAbsent(String name, Runnable hook) {}
            };
        }
    }
}
