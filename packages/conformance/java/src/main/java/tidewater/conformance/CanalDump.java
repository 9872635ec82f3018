package tidewater.conformance;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.TimeZone;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import com.alibaba.fastjson2.JSON;
import com.alibaba.fastjson2.JSONWriter;
import com.alibaba.otter.canal.common.alarm.LogAlarmHandler;
import com.alibaba.otter.canal.connector.core.producer.MQMessageUtils;
import com.alibaba.otter.canal.connector.core.producer.MQMessageUtils.EntryRowData;
import com.alibaba.otter.canal.filter.aviater.AviaterRegexFilter;
import com.alibaba.otter.canal.instance.core.CanalMQConfig;
import com.alibaba.otter.canal.instance.spring.CanalInstanceWithSpring;
import com.alibaba.otter.canal.meta.MemoryMetaManager;
import com.alibaba.otter.canal.parse.ha.HeartBeatHAController;
import com.alibaba.otter.canal.parse.inbound.mysql.rds.RdsBinlogEventParserProxy;
import com.alibaba.otter.canal.parse.index.FailbackLogPositionManager;
import com.alibaba.otter.canal.parse.index.MemoryLogPositionManager;
import com.alibaba.otter.canal.parse.index.MetaLogPositionManager;
import com.alibaba.otter.canal.parse.support.AuthenticationInfo;
import com.alibaba.otter.canal.protocol.CanalEntry;
import com.alibaba.otter.canal.protocol.ClientIdentity;
import com.alibaba.otter.canal.protocol.FlatMessage;
import com.alibaba.otter.canal.protocol.Message;
import com.alibaba.otter.canal.protocol.position.EntryPosition;
import com.alibaba.otter.canal.server.embedded.CanalServerWithEmbedded;
import com.alibaba.otter.canal.sink.entry.EntryEventSink;
import com.alibaba.otter.canal.store.memory.MemoryEventStoreWithBuffer;
import com.alibaba.otter.canal.store.model.BatchMode;

/**
 * canal-dump: runs Canal 1.1.7 embedded against a MySQL/MariaDB server from a binlog position
 * and prints, one per line, the FlatMessage JSON its Kafka producer would send
 * (`canal.mq.flatMessage = true`, no partition hash), until the events before an end position
 * have all been read. The end position comes on stdin as one line `file:pos` once the caller
 * knows it; Canal has read everything before it when it reads an entry at or after it, so the
 * caller writes one more captured change after the end.
 *
 * The instance is the stock file-instance Spring configuration (deployer/conf/spring/
 * file-instance.xml with the defaults of canal.properties and example/instance.properties)
 * written out in Java, because those XML files are not published on Maven Central. Two parts
 * differ, neither of which changes a message: the meta manager keeps its cursor in memory
 * instead of a file, and the table-meta store keeps its rows in memory instead of H2
 * ({@link InMemoryTableMetaStore}).
 *
 * Messages are converted as CanalKafkaProducer.send does in flat mode:
 * MQMessageUtils.buildMessageData, MQMessageUtils.messageConverter, then fastjson2
 * JSON.toJSONBytes(flatMessage, WriteNulls); a message fastjson2 fails to write is printed as
 * {"canalError": …, "database", "table", "type", "isDdl"}. Entries outside [start, end) are left out: Canal
 * starts from the last transaction boundary at or before the start position.
 *
 * stderr: Canal's warnings, "ready <file>:<pos>" once Canal has read the table definitions it
 * starts from (the caller may then change the schema), "end <file>:<pos>" once the end position
 * is known, and the reason of a failure.
 */
public final class CanalDump {
    private static final String DESTINATION = "conformance";

    private CanalDump() {}

    public static void main(String[] args) throws Exception {
        Arguments arguments = Arguments.parse("canal-dump", args);
        // Canal prints TIMESTAMP values in the JVM's zone.
        TimeZone.setDefault(TimeZone.getTimeZone(ZoneId.of(arguments.optional("time-zone", "UTC"))));
        BinlogPoint start = new BinlogPoint(arguments.required("start-file"), arguments.number("start-pos"));
        AtomicReference<BinlogPoint> endPoint = new AtomicReference<>();
        Thread endReader = new Thread(() -> readEnd(endPoint), "end-position");
        endReader.setDaemon(true);
        endReader.start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(arguments.optional("timeout-ms", "120000")));

        boolean isTracing = Boolean.parseBoolean(arguments.optional("trace", "false"));
        CanalInstanceWithSpring instance = fileInstance(arguments, start);
        CanalServerWithEmbedded server = new CanalServerWithEmbedded();
        server.setCanalInstanceGenerator(destination -> instance);
        server.start();
        server.start(DESTINATION);
        // As CanalMQStarter subscribes: client 1001, no filter of its own.
        ClientIdentity client = new ClientIdentity(DESTINATION, (short) 1001, "");
        server.subscribe(client);

        // canal.mq.build.thread.size, with the caller running what the queue cannot hold.
        ThreadPoolExecutor buildExecutor = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(4), new ThreadPoolExecutor.CallerRunsPolicy());
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out));
        int exitCode = 0;
        try {
            BinlogPoint lastSeen = null;
            boolean isDone = false;
            while (!isDone) {
                if (System.nanoTime() > deadline) {
                    BinlogPoint end = endPoint.get();
                    System.err.println("canal-dump: timed out before reaching " + (end == null ? "an end position" : end.toString())
                        + "; last entry read ended at "
                        + (lastSeen == null ? "none" : lastSeen.toString()));
                    exitCode = 2;
                    break;
                }
                // canal.mq.canalBatchSize = 50, canal.mq.canalGetTimeout = 100 ms
                Message message = server.getWithoutAck(client, 50, 100L, TimeUnit.MILLISECONDS);
                int size = message.isRaw() ? message.getRawEntries().size() : message.getEntries().size();
                if (message.getId() == -1 || size == 0) {
                    continue;
                }
                // Read after the batch: an end that arrived while waiting applies to it.
                BinlogPoint end = endPoint.get();
                EntryRowData[] datas = MQMessageUtils.buildMessageData(message, buildExecutor);
                List<EntryRowData> inRange = new ArrayList<>();
                for (EntryRowData data : datas) {
                    CanalEntry.Header header = data.entry.getHeader();
                    BinlogPoint at = new BinlogPoint(header.getLogfileName(), header.getLogfileOffset());
                    lastSeen = new BinlogPoint(header.getLogfileName(), header.getLogfileOffset() + header.getEventLength());
                    if (isTracing) {
                        System.err.println("entry " + at + " +" + header.getEventLength() + " " + data.entry.getEntryType() + " " + header.getTableName());
                    }
                    if (end != null && at.compareTo(end) >= 0) {
                        isDone = true;
                    } else if (at.compareTo(start) >= 0) {
                        inRange.add(data);
                    }
                }
                for (FlatMessage flatMessage : MQMessageUtils.messageConverter(inRange.toArray(new EntryRowData[0]), message.getId())) {
                    out.write(serialise(flatMessage));
                    out.write('\n');
                }
                out.flush();
                server.ack(client, message.getId());
            }
        } catch (IOException | RuntimeException error) {
            System.err.println("canal-dump: " + error);
            error.printStackTrace(System.err);
            exitCode = 1;
        } finally {
            out.flush();
            buildExecutor.shutdownNow();
        }
        server.stop(DESTINATION);
        server.stop();
        System.exit(exitCode);
    }

    /**
     * The producer's bytes, or, when fastjson2 throws (Canal's producer would then roll the
     * batch back and retry it forever), a line naming the message and the error.
     */
    private static byte[] serialise(FlatMessage flatMessage) {
        try {
            return JSON.toJSONBytes(flatMessage, JSONWriter.Feature.WriteNulls);
        } catch (RuntimeException error) {
            Map<String, Object> failure = new LinkedHashMap<>();
            failure.put("canalError", error.toString());
            failure.put("database", flatMessage.getDatabase());
            failure.put("table", flatMessage.getTable());
            failure.put("type", flatMessage.getType());
            failure.put("isDdl", flatMessage.getIsDdl());
            return JSON.toJSONBytes(failure, JSONWriter.Feature.WriteNulls);
        }
    }

    private static void readEnd(AtomicReference<BinlogPoint> endPoint) {
        try {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                return;
            }
            int colon = line.lastIndexOf(':');
            BinlogPoint end = new BinlogPoint(line.substring(0, colon).trim(), Long.parseLong(line.substring(colon + 1).trim()));
            endPoint.set(end);
            System.err.println("end " + end);
            System.err.flush();
        } catch (IOException | RuntimeException error) {
            System.err.println("canal-dump: cannot read the end position from stdin: " + error);
        }
    }

    /** The beans of file-instance.xml, with the values the stock properties give them. */
    private static CanalInstanceWithSpring fileInstance(Arguments arguments, BinlogPoint start) {
        MemoryMetaManager metaManager = new MemoryMetaManager();

        MemoryEventStoreWithBuffer eventStore = new MemoryEventStoreWithBuffer();
        eventStore.setBufferSize(16384);
        eventStore.setBufferMemUnit(1024);
        eventStore.setBatchMode(BatchMode.MEMSIZE);
        eventStore.setDdlIsolation(false);
        eventStore.setRaw(true);

        EntryEventSink eventSink = new EntryEventSink();
        eventSink.setEventStore(eventStore);
        eventSink.setFilterTransactionEntry(false);

        LogAlarmHandler alarmHandler = new LogAlarmHandler();

        RdsBinlogEventParserProxy parser = new RdsBinlogEventParserProxy();
        parser.setDestination(DESTINATION);
        parser.setSlaveId(Long.parseLong(arguments.required("slave-id")));
        parser.setDetectingEnable(false);
        parser.setDetectingSQL("select 1");
        parser.setDetectingIntervalInSeconds(3);
        HeartBeatHAController haController = new HeartBeatHAController();
        haController.setDetectingRetryTimes(3);
        haController.setSwitchEnable(false);
        parser.setHaController(haController);
        parser.setAlarmHandler(alarmHandler);
        parser.setEventFilter(new AviaterRegexFilter(arguments.required("filter")));
        parser.setEventBlackFilter(new AviaterRegexFilter("mysql\\.slave_.*", false));
        parser.setTransactionSize(1024);
        parser.setReceiveBufferSize(16384);
        parser.setSendBufferSize(16384);
        parser.setDefaultConnectionTimeoutInSeconds(30);
        parser.setConnectionCharset("UTF-8");
        parser.setLogPositionManager(new FailbackLogPositionManager(new MemoryLogPositionManager(),
            new MetaLogPositionManager(metaManager)));
        parser.setFallbackIntervalInSeconds(60);
        InetSocketAddress address = new InetSocketAddress(arguments.required("host"), (int) arguments.number("port"));
        parser.setMasterInfo(new AuthenticationInfo(address, arguments.required("user"), arguments.optional("password", ""), ""));
        parser.setMasterPosition(new EntryPosition(start.file, start.pos));
        parser.setFilterQueryDml(false);
        parser.setFilterQueryDcl(false);
        parser.setFilterQueryDdl(false);
        parser.setUseDruidDdlFilter(true);
        parser.setFilterDmlInsert(false);
        parser.setFilterDmlUpdate(false);
        parser.setFilterDmlDelete(false);
        parser.setFilterRows(false);
        parser.setFilterTableError(false);
        parser.setSupportBinlogFormats("ROW,STATEMENT,MIXED");
        parser.setSupportBinlogImages("FULL,MINIMAL,NOBLOB");
        parser.setEnableTsdb(true);
        parser.setTsdbSpringXml("classpath:spring/tsdb/h2-tsdb.xml");
        parser.setTsdbJdbcUrl("");
        parser.setTsdbJdbcUserName("");
        parser.setTsdbJdbcPassword("");
        parser.setTsdbSnapshotInterval(24);
        parser.setTsdbSnapshotExpire(360);
        parser.setTableMetaTSDBFactory(new InMemoryTableMetaStore(position -> {
            System.err.println("ready " + position.getJournalName() + ":" + position.getPosition());
            System.err.flush();
        }));
        parser.setIsGTIDMode(false);
        parser.setParallel(true);
        parser.setParallelBufferSize(256);
        parser.setAutoResetLatestPosMode(false);
        parser.setMultiStreamEnable(false);
        parser.setEventSink(eventSink);

        CanalMQConfig mqConfig = new CanalMQConfig();
        mqConfig.setTopic("example");
        mqConfig.setPartition(0);

        CanalInstanceWithSpring instance = new CanalInstanceWithSpring();
        instance.setDestination(DESTINATION);
        instance.setEventParser(parser);
        instance.setEventSink(eventSink);
        instance.setEventStore(eventStore);
        instance.setMetaManager(metaManager);
        instance.setAlarmHandler(alarmHandler);
        instance.setMqConfig(mqConfig);
        return instance;
    }

    /** A binlog position; files compare by their numeric suffix. */
    static final class BinlogPoint implements Comparable<BinlogPoint> {
        final String file;
        final long pos;

        BinlogPoint(String file, long pos) {
            this.file = file;
            this.pos = pos;
        }

        private long fileNumber() {
            return Long.parseLong(file.substring(file.lastIndexOf('.') + 1));
        }

        @Override
        public int compareTo(BinlogPoint other) {
            int byFile = Long.compare(fileNumber(), other.fileNumber());
            return byFile != 0 ? byFile : Long.compare(pos, other.pos);
        }

        @Override
        public String toString() {
            return file + ":" + pos;
        }
    }
}
