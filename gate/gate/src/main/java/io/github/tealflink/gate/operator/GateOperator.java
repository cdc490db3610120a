package io.github.tealflink.gate.operator;

import io.github.tealflink.gate.protocol.Colour;
import io.github.tealflink.gate.protocol.Decision;
import io.github.tealflink.gate.protocol.GateDecisions;
import io.github.tealflink.gate.protocol.GateView;
import io.github.tealflink.gate.protocol.ProtocolException;
import io.github.tealflink.gate.protocol.ProtocolKeys;
import io.github.tealflink.gate.protocol.Stage;
import io.github.tealflink.gate.protocol.WatermarkStage;
import io.github.tealflink.gate.store.CoordinationStore;
import io.github.tealflink.gate.store.SharedStores;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.runtime.TupleSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * The blue/green gate: a pass-through operator that emits, drops or holds each record by its event time against
 * the cut-over point W of the coordination store, and takes the gate's part of the protocol (proposing W, reporting
 * idleness, reporting "passed W", writing CLEAR_TO_TEARDOWN). Decisions are {@link GateDecisions}; this class only
 * gathers the inputs (view, watermark, idleness, checkpoints) and carries the results out.
 *
 * <p>Store writes run on the store's thread and never block the task; the gate re-evaluates on every record,
 * watermark, idleness change, completed checkpoint and a processing-time tick, so a lost or refused write is simply
 * tried again.
 */
public final class GateOperator<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<T, T>, ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;

    private final GateSettings settings;

    private transient CoordinationStore store;
    private transient Map<String, String> viewSource;
    private transient GateView view;
    private transient String lastViewError;
    private transient long watermark;
    private transient boolean idle;
    private transient long idleSince;
    private transient long maxEmitted;
    private transient ArrayDeque<Tuple2<T, Long>> held;
    private transient ListState<Tuple2<T, Long>> heldState;
    private transient TypeSerializer<T> serializer;
    private transient Watermark heldWatermark;
    private transient AtomicBoolean writeInFlight;
    private transient long passWaitsForCheckpoint;
    private transient long passedWForCheckpoint;
    private transient boolean checkpointCoversPass;
    private transient int subtask;
    private transient String jobId;
    private transient int parallelism;
    private transient Counter emitted;
    private transient Counter dropped;
    private transient Counter heldCount;
    private transient Counter unsafeW;
    private transient long checkedW;

    /** A gate with the given settings. */
    public GateOperator(GateSettings settings) {
        this.settings = settings;
    }

    /** The gate's settings. */
    public GateSettings settings() {
        return settings;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        serializer = getOperatorConfig().getTypeSerializerIn(0, getUserCodeClassloader());
        @SuppressWarnings({"unchecked", "rawtypes"})
        TupleSerializer<Tuple2<T, Long>> tupleSerializer =
                new TupleSerializer<>((Class) Tuple2.class, new TypeSerializer<?>[] {serializer, LongSerializer.INSTANCE});
        heldState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("teal-bluegreen-gate-held", tupleSerializer));
        held = new ArrayDeque<>();
        for (Tuple2<T, Long> t : heldState.get()) {
            held.add(t);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        watermark = GateDecisions.NO_WATERMARK;
        maxEmitted = GateDecisions.NO_WATERMARK;
        writeInFlight = new AtomicBoolean();
        passWaitsForCheckpoint = -1;
        passedWForCheckpoint = Long.MIN_VALUE;
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        jobId = getContainingTask().getEnvironment().getJobID().toString();
        emitted = getMetricGroup().counter("tealGateEmitted");
        dropped = getMetricGroup().counter("tealGateDropped");
        heldCount = getMetricGroup().counter("tealGateHeld");
        unsafeW = getMetricGroup().counter("tealGateUnsafeW");
        checkedW = Long.MIN_VALUE;
        settings.extractor().open(getUserCodeClassloader());
        store = SharedStores.acquire(settings.storeFactory());
        refreshView();
        scheduleTick();
    }

    private void scheduleTick() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + settings.tickMs(), this);
    }

    @Override
    public void onProcessingTime(long time) throws Exception {
        refreshView();
        flushIfDecided();
        act();
        scheduleTick();
    }

    @Override
    public void processElement(StreamRecord<T> element) throws Exception {
        refreshView();
        if (!held.isEmpty() || heldWatermark != null) {
            flushIfDecided();
        }
        T value = element.getValue();
        long t = settings.extractor().extract(value);
        Decision d = GateDecisions.decide(view, settings.colour(), t);
        if (d == Decision.EMIT) {
            // the common path: pass the record on as it came, no copy, no new StreamRecord
            output.collect(element);
            emitted.inc();
            if (t > maxEmitted) {
                maxEmitted = t;
            }
        } else {
            route(value, element.hasTimestamp() ? element.getTimestamp() : Long.MIN_VALUE, t, false);
        }
        // Protocol writes are driven by watermarks, idleness, checkpoints and the tick, not by each record.
    }

    private void route(T value, long ts, long eventTime, boolean fromHold) {
        Decision d = GateDecisions.decide(view, settings.colour(), eventTime);
        switch (d) {
            case EMIT -> {
                output.collect(ts == Long.MIN_VALUE ? new StreamRecord<>(value) : new StreamRecord<>(value, ts));
                emitted.inc();
                if (eventTime > maxEmitted) {
                    maxEmitted = eventTime;
                }
            }
            case DROP -> dropped.inc();
            case HOLD -> {
                held.add(Tuple2.of(fromHold ? value : serializer.copy(value), ts));
                heldCount.inc();
            }
        }
    }

    /** Emits or drops the held records once the view no longer says HOLD, then releases a held-back watermark. */
    private void flushIfDecided() throws Exception {
        if (holding()) {
            return;
        }
        while (!held.isEmpty()) {
            Tuple2<T, Long> h = held.poll();
            route(h.f0, h.f1, settings.extractor().extract(h.f0), true);
        }
        if (heldWatermark != null) {
            Watermark w = heldWatermark;
            heldWatermark = null;
            super.processWatermark(w);
        }
    }

    private boolean holding() {
        return GateDecisions.decide(view, settings.colour(), 0L) == Decision.HOLD;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        refreshView();
        flushIfDecided();
        watermark = mark.getTimestamp();
        if (holding()) {
            // Records held now are emitted later: a watermark sent ahead of them would make them late downstream.
            heldWatermark = mark;
        } else {
            super.processWatermark(mark);
        }
        act();
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        boolean nowIdle = status.isIdle();
        if (nowIdle && !idle) {
            idleSince = getProcessingTimeService().getCurrentProcessingTime();
        }
        idle = nowIdle;
        super.processWatermarkStatus(status);
        act();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        heldState.update(new ArrayList<>(held));
        if (passWaitsForCheckpoint == Long.MAX_VALUE) {
            passWaitsForCheckpoint = context.getCheckpointId();
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        if (passWaitsForCheckpoint >= 0 && passWaitsForCheckpoint != Long.MAX_VALUE && checkpointId >= passWaitsForCheckpoint) {
            checkpointCoversPass = true;
            act();
        }
    }

    private void refreshView() {
        Map<String, String> data = store.current();
        if (data == viewSource) {
            return;
        }
        viewSource = data;
        if (data == null) {
            view = null;
            return;
        }
        try {
            view = GateView.parse(data);
            lastViewError = null;
            checkW(view);
        } catch (ProtocolException e) {
            view = null;
            if (!e.getMessage().equals(lastViewError)) {
                lastViewError = e.getMessage();
                LOG.warn("Teal gate {}: {} breaks the blue/green protocol, holding records: {}",
                        gateName(), store.describe(), e.getMessage());
            }
        }
    }

    /**
     * An outgoing gate that emitted a record at or after W before it learned W has handed the incoming job a record
     * it emits too: reported once per W (metric tealGateUnsafeW and a warning) so the cause (a deletion delay
     * shorter than the watermark lag) is visible.
     */
    private void checkW(GateView v) {
        if (GateDecisions.isOutgoing(v, settings.colour()) && v.hasW() && v.w() != checkedW) {
            checkedW = v.w();
            if (maxEmitted != GateDecisions.NO_WATERMARK && maxEmitted >= v.w()) {
                unsafeW.inc();
                LOG.warn("Teal gate {}: emitted event time {} >= W = {} before W was set: records in [W, {}] may be"
                        + " emitted by both jobs; raise deployment-deletion-delay-ms above the watermark lag",
                        gateName(), maxEmitted, v.w(), maxEmitted);
            }
        }
    }

    /** Carries out the protocol writes the current view calls for (one write in flight at a time). */
    private void act() {
        GateView v = view;
        if (v == null || writeInFlight.get()) {
            return;
        }
        Colour own = settings.colour();
        if (GateDecisions.isOutgoing(v, own)) {
            actOutgoing(v, own);
        } else if (GateDecisions.shouldAnnounceWaiting(v, own)) {
            write(data -> {
                GateView fresh = parseOrNull(data);
                if (!GateDecisions.shouldAnnounceWaiting(fresh, own)) {
                    return null;
                }
                return Map.of(ProtocolKeys.WATERMARK_STAGE, WatermarkStage.WAITING_FOR_WATERMARK.name());
            });
        }
    }

    private void actOutgoing(GateView v, Colour own) {
        String idleKey = GateDecisions.idleKey(own, settings.gateId(), subtask);
        boolean idleReported = v.data().containsKey(idleKey);
        if (idle && !idleReported && (v.stage() == Stage.TRANSITIONING || v.stage() == Stage.INITIALIZING)) {
            write(data -> withClearIfDone(data, own, mapOf(idleKey, Long.toString(idleSince))));
            return;
        }
        if (!idle && idleReported) {
            write(data -> withClearIfDone(data, own, mapOf(idleKey, null)));
            return;
        }
        if (GateDecisions.shouldProposeW(v, own) && !idle && !GateDecisions.anyIdle(v.data(), own)) {
            // This subtask now holds its output (decide says HOLD while W is being agreed), so nothing it emits
            // from here on can reach W; its candidate lies above everything it emitted before.
            long candidate = GateDecisions.computeW(watermark, getProcessingTimeService().getCurrentProcessingTime(),
                    v.deletionDelayMs(), maxEmitted);
            String candidateKey = GateDecisions.candidateKey(own, settings.gateId(), subtask, parallelism);
            write(data -> {
                GateView fresh = parseOrNull(data);
                if (!GateDecisions.shouldProposeW(fresh, own) || GateDecisions.anyIdle(data, own)) {
                    return null; // W is set already (first writer wins), or an input went idle
                }
                Map<String, String> changes = new HashMap<>();
                Map<String, String> after = new HashMap<>(data);
                String existing = data.get(candidateKey);
                if (existing == null || !existing.endsWith("@" + jobId)) {
                    changes.put(candidateKey, GateDecisions.candidateValue(candidate, jobId));
                    after.putAll(changes);
                }
                Long agreed = GateDecisions.agreedW(after, own, settings.gateCount(), jobId);
                if (agreed != null) {
                    LOG.info("Teal gate {}: every outgoing gate subtask holds; W = {} (largest candidate)", gateName(), agreed);
                    changes.put(ProtocolKeys.WATERMARK_TOGGLE_VALUE, Long.toString(agreed));
                    changes.put(ProtocolKeys.WATERMARK_STAGE, WatermarkStage.WATERMARK_SET.name());
                }
                return changes;
            });
            return;
        }
        if (!GateDecisions.hasPassed(v, own, watermark, idle)) {
            return;
        }
        long w = v.w();
        String passedKey = GateDecisions.passedKey(own, settings.gateId(), subtask, parallelism);
        if (Long.toString(w).equals(v.data().get(passedKey))) {
            if (v.stage() == Stage.TRANSITIONING && GateDecisions.allPassed(v.data(), own, settings.gateCount(), w)
                    && !GateDecisions.anyIdle(v.data(), own)) {
                write(data -> withClearIfDone(data, own, Map.of()));
            }
            return;
        }
        if (settings.waitForCheckpoint()) {
            if (passedWForCheckpoint != w) {
                passedWForCheckpoint = w;
                checkpointCoversPass = false;
                passWaitsForCheckpoint = Long.MAX_VALUE; // the next checkpoint taken
            }
            if (!checkpointCoversPass) {
                return;
            }
        }
        write(data -> {
            GateView fresh = parseOrNull(data);
            if (fresh == null || !GateDecisions.isOutgoing(fresh, own) || !fresh.hasW() || fresh.w() != w) {
                return null;
            }
            LOG.info("Teal gate {}: watermark {} passed W = {}", gateName(), watermark, w);
            return withClearIfDone(data, own, mapOf(passedKey, Long.toString(w)));
        });
    }

    /** Adds {@code stage=CLEAR_TO_TEARDOWN} to {@code changes} when, after them, every gate passed W and none is idle. */
    private Map<String, String> withClearIfDone(Map<String, String> data, Colour own, Map<String, String> changes) {
        Map<String, String> after = new HashMap<>(data);
        changes.forEach((k, val) -> {
            if (val == null) {
                after.remove(k);
            } else {
                after.put(k, val);
            }
        });
        GateView fresh = parseOrNull(after);
        Map<String, String> out = new HashMap<>(changes);
        if (fresh != null && GateDecisions.isOutgoing(fresh, own) && fresh.hasW()
                && fresh.stage() == Stage.TRANSITIONING
                && !GateDecisions.anyIdle(after, own)
                && GateDecisions.allPassed(after, own, settings.gateCount(), fresh.w())) {
            LOG.info("Teal gate {}: every gate passed W = {}; writing {}", gateName(), fresh.w(), Stage.CLEAR_TO_TEARDOWN);
            out.put(ProtocolKeys.STAGE, Stage.CLEAR_TO_TEARDOWN.name());
        }
        return out;
    }

    private static Map<String, String> mapOf(String key, String value) {
        Map<String, String> m = new HashMap<>();
        m.put(key, value);
        return m;
    }

    private static GateView parseOrNull(Map<String, String> data) {
        try {
            return data == null ? null : GateView.parse(data);
        } catch (ProtocolException e) {
            return null;
        }
    }

    private void write(Function<Map<String, String>, Map<String, String>> mutation) {
        if (!writeInFlight.compareAndSet(false, true)) {
            return;
        }
        store.update(mutation).whenComplete((data, err) -> {
            writeInFlight.set(false);
            if (err != null) {
                LOG.warn("Teal gate {}: write to {} failed; retrying on the next tick", gateName(), store.describe(), err);
            }
        });
    }

    private String gateName() {
        return settings.colour() + "/g" + settings.gateId() + "/" + subtask;
    }

    @Override
    public void finish() throws Exception {
        if (!held.isEmpty()) {
            LOG.warn("Teal gate {}: the input ended with {} records held (W never arrived); they are not emitted",
                    gateName(), held.size());
        }
        super.finish();
    }

    @Override
    public void close() throws Exception {
        if (store != null) {
            SharedStores.release(settings.storeFactory());
            store = null;
        }
        super.close();
    }

    /** Test hook: the number of records held. */
    int heldSize() {
        return held.size();
    }

    /** Test hook: the held records. */
    List<T> heldValues() {
        List<T> out = new ArrayList<>();
        held.forEach(h -> out.add(h.f0));
        return out;
    }
}
