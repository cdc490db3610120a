#!/usr/bin/env bash
# Teal's entrypoint for Flink images, written for Teal. It implements the contract the official flink image
# documents, so that Pod specs written for that image run unchanged:
#
#   jobmanager [args]       the session JobManager in the foreground (bin/jobmanager.sh start-foreground)
#   standalone-job [args]   an application JobManager: --job-classname, --fromSavepoint, -D…, program args
#   taskmanager [args]      a TaskManager in the foreground
#   history-server          the history server in the foreground
#   help                    usage
#   anything else           run as given (Flink's native Kubernetes entrypoints come through here)
#
# Environment:
#   FLINK_HOME                      the distribution (default /opt/flink)
#   FLINK_CONF_DIR                  the configuration directory (default $FLINK_HOME/conf); Flink reads
#                                   config.yaml (1.19 and later) or flink-conf.yaml (before) from it
#   FLINK_PROPERTIES                "key: value" lines merged into the configuration (later keys win)
#   JOB_MANAGER_RPC_ADDRESS         sets jobmanager.rpc.address; for jobmanager and standalone-job it defaults
#                                   to this host's name when the configuration has no address
#   TASK_MANAGER_NUMBER_OF_TASK_SLOTS  sets taskmanager.numberOfTaskSlots
#   ENABLE_BUILT_IN_PLUGINS         ";"-separated jar names from $FLINK_HOME/opt linked into $FLINK_HOME/plugins
#
# Started as root, as Kubernetes starts the image by default, the entrypoint prepares the configuration and
# plugins as root and then runs Flink (and any pass-through command) as the user flink (uid 9999) through gosu,
# as the official image does: files Flink writes on volumes (checkpoints, savepoints) belong to flink. Where no
# flink user or no gosu exists (the script run on a host by the tests' local runtime), it runs as started.
#
# A read-only configuration (a Kubernetes ConfigMap volume) is left as it is, with a warning for each setting
# that could not be written, as the official image does; the process still starts.
set -u

FLINK_HOME="${FLINK_HOME:-/opt/flink}"
CONF_DIR="${FLINK_CONF_DIR:-${FLINK_HOME}/conf}"

log() { echo "docker-entrypoint: $*" >&2; }

config_file() {
    if [ -f "${CONF_DIR}/config.yaml" ] || [ ! -f "${CONF_DIR}/flink-conf.yaml" ]; then
        echo "${CONF_DIR}/config.yaml"
    else
        echo "${CONF_DIR}/flink-conf.yaml"
    fi
}

# config_has KEY: the configuration sets KEY at the top level.
config_has() {
    local file
    file="$(config_file)"
    [ -f "${file}" ] && grep -q -E "^$(escape_key "$1")[[:space:]]*:" "${file}"
}

escape_key() { printf '%s' "$1" | sed -e 's/[][\.*^$/+?(){}|]/\\&/g'; }

# writable FILE: FILE can be written (or created in its directory).
writable() {
    if [ -e "$1" ]; then
        [ -w "$1" ]
    else
        [ -w "$(dirname "$1")" ]
    fi
}

# set_option KEY VALUE: replace KEY's top-level line, or append it.
set_option() {
    local key="$1" value="$2" file tmp
    file="$(config_file)"
    if ! writable "${file}"; then
        log "WARNING: ${file} is read-only: ${key} stays as configured"
        return 0
    fi
    tmp="$(mktemp)" || return 0
    if [ -f "${file}" ]; then
        grep -v -E "^$(escape_key "${key}")[[:space:]]*:" "${file}" > "${tmp}"
    fi
    printf '%s: %s\n' "${key}" "${value}" >> "${tmp}"
    if ! cat "${tmp}" > "${file}" 2>/dev/null; then
        log "WARNING: cannot write ${file}: ${key} stays as configured"
    fi
    rm -f "${tmp}"
}

enable_plugins() {
    [ -n "${ENABLE_BUILT_IN_PLUGINS:-}" ] || return 0
    local jar name
    local IFS=';'
    for jar in ${ENABLE_BUILT_IN_PLUGINS}; do
        jar="$(echo "${jar}" | tr -d '[:space:]')"
        [ -n "${jar}" ] || continue
        if [ ! -e "${FLINK_HOME}/opt/${jar}" ]; then
            log "plugin ${jar} does not exist in ${FLINK_HOME}/opt"
            exit 1
        fi
        name="${jar%.jar}"
        mkdir -p "${FLINK_HOME}/plugins/${name}" || exit 1
        ln -fs "${FLINK_HOME}/opt/${jar}" "${FLINK_HOME}/plugins/${name}/" || exit 1
        log "enabled plugin ${jar}"
    done
}

apply_properties() {
    [ -n "${FLINK_PROPERTIES:-}" ] || return 0
    local line key value
    while IFS= read -r line || [ -n "${line}" ]; do
        case "${line}" in
            ''|'#'*) continue ;;
        esac
        key="${line%%:*}"
        [ "${key}" != "${line}" ] || { log "WARNING: FLINK_PROPERTIES line without ':' ignored: ${line}"; continue; }
        value="${line#*:}"
        key="$(echo "${key}" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')"
        value="$(echo "${value}" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')"
        set_option "${key}" "${value}"
    done <<< "${FLINK_PROPERTIES}"
}

prepare_configuration() {
    local command="$1"
    if [ -n "${JOB_MANAGER_RPC_ADDRESS:-}" ]; then
        set_option jobmanager.rpc.address "${JOB_MANAGER_RPC_ADDRESS}"
    elif { [ "${command}" = jobmanager ] || [ "${command}" = standalone-job ]; } && ! config_has jobmanager.rpc.address; then
        set_option jobmanager.rpc.address "$(hostname -f 2>/dev/null || hostname)"
    fi
    if [ -n "${TASK_MANAGER_NUMBER_OF_TASK_SLOTS:-}" ]; then
        set_option taskmanager.numberOfTaskSlots "${TASK_MANAGER_NUMBER_OF_TASK_SLOTS}"
    fi
    apply_properties
}

# run_as prints the command prefix that runs a process as the user flink when started as root, else nothing.
run_as() {
    if [ "$(id -u)" = 0 ] && id flink >/dev/null 2>&1 && command -v gosu >/dev/null 2>&1; then
        echo "gosu flink"
    fi
}

command="${1:-help}"
case "${command}" in
    help)
        echo "Usage: $(basename "$0") (jobmanager|standalone-job|taskmanager|history-server) [args...] | help | <command> [args...]"
        exit 0
        ;;
esac

enable_plugins
prepare_configuration "${command}"
export FLINK_CONF_DIR="${CONF_DIR}"
RUN_AS="$(run_as)"

case "${command}" in
    jobmanager)
        shift
        log "starting the JobManager"
        exec ${RUN_AS} "${FLINK_HOME}/bin/jobmanager.sh" start-foreground "$@"
        ;;
    standalone-job)
        shift
        log "starting the application JobManager"
        exec ${RUN_AS} "${FLINK_HOME}/bin/standalone-job.sh" start-foreground "$@"
        ;;
    taskmanager)
        shift
        log "starting a TaskManager"
        exec ${RUN_AS} "${FLINK_HOME}/bin/taskmanager.sh" start-foreground "$@"
        ;;
    history-server)
        shift
        log "starting the history server"
        exec ${RUN_AS} "${FLINK_HOME}/bin/historyserver.sh" start-foreground "$@"
        ;;
esac

# Pass-through: any other command runs as given, with FLINK_HOME/bin on the PATH (kubernetes-jobmanager.sh).
export PATH="${FLINK_HOME}/bin:${PATH}"
exec ${RUN_AS} "$@"
