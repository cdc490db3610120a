package io.github.tealflink.gate.protocol;

/**
 * The keys of the blue/green coordination ConfigMap ({@code <bg-name>-configmap}) and of the child's Flink
 * configuration. The operator keys and the gate keys are those of the FLIP-504 draft, so that gates and operators
 * of either project interoperate; the {@code teal.} keys are Teal's additions, which a draft gate or operator
 * ignores.
 */
public final class ProtocolKeys {
    private ProtocolKeys() {}

    /** Operator key: {@code true} for the first deployment of a FlinkBlueGreenDeployment (nothing to hand over). */
    public static final String IS_FIRST_DEPLOYMENT = "is-first-deployment";
    /** Operator key: the colour that emits from W on; during a transition, the incoming one. */
    public static final String ACTIVE_DEPLOYMENT_TYPE = "active-deployment-type";
    /** Operator key: the delay (ms) added to the outgoing job's watermark to compute W. */
    public static final String DEPLOYMENT_DELETION_DELAY_MS = "deployment-deletion-delay-ms";
    /** Operator key (and gate key for CLEAR_TO_TEARDOWN): the transition stage. */
    public static final String STAGE = "stage";
    /** Gate key: WATERMARK_NOT_SET, WAITING_FOR_WATERMARK or WATERMARK_SET. */
    public static final String WATERMARK_STAGE = "watermark-stage";
    /** Gate key: W, in epoch milliseconds of event time. */
    public static final String WATERMARK_TOGGLE_VALUE = "watermark-toggle-value";

    /**
     * Teal gate key prefix: {@code teal.gate-passed.<colour>.<gateId>.<subtask>.<parallelism>} = W, written by each
     * outgoing gate subtask once its watermark reached W (and, with checkpointing, a checkpoint after it
     * completed). The subtask that completes the set also writes {@code stage=CLEAR_TO_TEARDOWN}.
     */
    public static final String PASSED_PREFIX = "teal.gate-passed.";
    /**
     * Teal gate key prefix: {@code teal.gate-candidate.<colour>.<gateId>.<subtask>.<parallelism>} =
     * {@code <candidate W>@<job id>}, written by each outgoing gate subtask once it holds its output; the subtask
     * that completes the set writes W = the largest candidate.
     */
    public static final String CANDIDATE_PREFIX = "teal.gate-candidate.";
    /**
     * Teal gate key prefix: {@code teal.gate-idle.<colour>.<gateId>.<subtask>} = epoch ms since when the gate's
     * input is idle. While any such key of the outgoing colour exists, no gate writes W or CLEAR_TO_TEARDOWN.
     */
    public static final String IDLE_PREFIX = "teal.gate-idle.";

    /** Child Flink configuration: the child's own colour (BLUE or GREEN). */
    public static final String CONF_COLOUR = "bluegreen.active-deployment-type";
    /** Child Flink configuration: the coordination ConfigMap's name. */
    public static final String CONF_CONFIGMAP_NAME = "bluegreen.configmap.name";
    /** Child Flink configuration: whether the agent injects gates. */
    public static final String CONF_INJECTION_ENABLED = "bluegreen.gate.injection.enabled";
    /** User key: the gate strategy; WATERMARK is the only one. */
    public static final String CONF_STRATEGY = "bluegreen.gate.strategy";
    /** User key: a dot-separated field path to the event time (POJO field or getter, Row field, Tuple fN). */
    public static final String CONF_FIELD_PATH = "bluegreen.gate.watermark.field-path";
    /** User key: a user class that extracts the event time from a record. */
    public static final String CONF_EXTRACTOR_CLASS = "bluegreen.gate.watermark.extractor-class";
    /** User key: the index of the event-time field of a SQL job's RowData. */
    public static final String CONF_FIELD_INDEX = "bluegreen.gate.watermark.field-index";
    /** User key: BEFORE_SINK (default) or AFTER_SOURCE. */
    public static final String CONF_POSITION = "bluegreen.gate.injection.position";
    /** Flink's own key for the namespace of a native Kubernetes deployment. */
    public static final String CONF_NAMESPACE = "kubernetes.namespace";
}
