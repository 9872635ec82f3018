package tidewater.conformance;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import com.alibaba.otter.canal.parse.inbound.mysql.tsdb.DatabaseTableMeta;
import com.alibaba.otter.canal.parse.inbound.mysql.tsdb.TableMetaTSDB;
import com.alibaba.otter.canal.parse.inbound.mysql.tsdb.TableMetaTSDBFactory;
import com.alibaba.otter.canal.parse.inbound.mysql.tsdb.dao.MetaHistoryDAO;
import com.alibaba.otter.canal.parse.inbound.mysql.tsdb.dao.MetaHistoryDO;
import com.alibaba.otter.canal.parse.inbound.mysql.tsdb.dao.MetaSnapshotDAO;
import com.alibaba.otter.canal.parse.inbound.mysql.tsdb.dao.MetaSnapshotDO;
import com.alibaba.otter.canal.protocol.position.EntryPosition;

/**
 * Canal's table-meta time-series store (its default `tsdb`: {@link DatabaseTableMeta}, the druid
 * DDL replayer) with the two DAOs kept in memory instead of the stock H2 database, whose MyBatis
 * SQL maps ship only in Canal's deployer package (not on Maven Central). The DAOs answer the
 * queries of the stock SQL maps: the newest snapshot strictly before a timestamp, and the DDL
 * history between two timestamps in order. A fresh H2 database behaves the same for one run.
 *
 * The factory reports when Canal has taken its first schema snapshot ({@code rollback} to the
 * start position reads the current table definitions), so the caller can start writing.
 */
final class InMemoryTableMetaStore implements TableMetaTSDBFactory {
    private final Consumer<EntryPosition> onSnapshot;

    InMemoryTableMetaStore(Consumer<EntryPosition> onSnapshot) {
        this.onSnapshot = onSnapshot;
    }

    @Override
    public TableMetaTSDB build(String destination, String springXml) {
        DatabaseTableMeta tableMeta = new DatabaseTableMeta() {
            @Override
            public boolean rollback(EntryPosition position) {
                boolean isRolledBack = super.rollback(position);
                onSnapshot.accept(position);
                return isRolledBack;
            }
        };
        tableMeta.setMetaHistoryDAO(new History());
        tableMeta.setMetaSnapshotDAO(new Snapshots());
        return tableMeta;
    }

    @Override
    public void destory(String destination) {
        // Nothing outside the heap.
    }

    private static final AtomicLong ids = new AtomicLong();

    private static long timestampOf(Long timestamp) {
        return timestamp == null ? 0L : timestamp;
    }

    static final class History extends MetaHistoryDAO {
        private final List<MetaHistoryDO> rows = new ArrayList<>();

        @Override
        public synchronized Long insert(MetaHistoryDO row) {
            row.setId(ids.incrementAndGet());
            rows.add(row);
            return row.getId();
        }

        @Override
        public synchronized List<MetaHistoryDO> findByTimestamp(String destination, Long snapshotTimestamp, Long timestamp) {
            long from = timestampOf(snapshotTimestamp);
            long to = timestampOf(timestamp);
            return rows.stream()
                .filter(row -> destination.equals(row.getDestination()))
                .filter(row -> timestampOf(row.getBinlogTimestamp()) >= from && timestampOf(row.getBinlogTimestamp()) <= to)
                .sorted(Comparator.comparingLong((MetaHistoryDO row) -> timestampOf(row.getBinlogTimestamp()))
                    .thenComparingLong(MetaHistoryDO::getId))
                .collect(Collectors.toList());
        }

        @Override
        public synchronized Integer deleteByName(String destination) {
            int before = rows.size();
            rows.removeIf(row -> destination.equals(row.getDestination()));
            return before - rows.size();
        }

        @Override
        public synchronized Integer deleteByTimestamp(String destination, int interval) {
            long limit = System.currentTimeMillis() - interval * 1000L;
            int before = rows.size();
            rows.removeIf(row -> destination.equals(row.getDestination()) && timestampOf(row.getBinlogTimestamp()) < limit);
            return before - rows.size();
        }
    }

    static final class Snapshots extends MetaSnapshotDAO {
        private final List<MetaSnapshotDO> rows = new ArrayList<>();

        @Override
        public synchronized Long insert(MetaSnapshotDO row) {
            row.setId(ids.incrementAndGet());
            rows.add(row);
            return row.getId();
        }

        @Override
        public synchronized Long update(MetaSnapshotDO row) {
            rows.replaceAll(existing -> existing.getId().equals(row.getId()) ? row : existing);
            return row.getId();
        }

        @Override
        public synchronized MetaSnapshotDO findByTimestamp(String destination, Long timestamp) {
            long before = timestampOf(timestamp);
            return rows.stream()
                .filter(row -> destination.equals(row.getDestination()))
                .filter(row -> timestampOf(row.getBinlogTimestamp()) < before)
                .max(Comparator.comparingLong((MetaSnapshotDO row) -> timestampOf(row.getBinlogTimestamp()))
                    .thenComparingLong(MetaSnapshotDO::getId))
                .orElse(null);
        }

        @Override
        public synchronized Integer deleteByName(String destination) {
            int before = rows.size();
            rows.removeIf(row -> destination.equals(row.getDestination()));
            return before - rows.size();
        }

        @Override
        public synchronized Integer deleteByTimestamp(String destination, int interval) {
            long limit = System.currentTimeMillis() - interval * 1000L;
            int before = rows.size();
            rows.removeIf(row -> destination.equals(row.getDestination()) && timestampOf(row.getBinlogTimestamp()) < limit);
            return before - rows.size();
        }
    }
}
