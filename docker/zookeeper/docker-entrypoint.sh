#!/bin/bash
# Entry point of the zkrecipes ZooKeeper image. Same contract as the official image:
#  * writes $ZOO_CONF_DIR/zoo.cfg from the ZOO_* variables, but only when that file is absent
#    (a mounted or previously written config is left alone);
#  * writes $ZOO_DATA_DIR/myid from ZOO_MY_ID (default 1), only when absent;
#  * started as root to run the server, it hands the directories to user `zookeeper` and
#    runs the command as that user; any other command runs as given.
set -euo pipefail

conf_dir=${ZOO_CONF_DIR:-/conf}
data_dir=${ZOO_DATA_DIR:-/data}
datalog_dir=${ZOO_DATA_LOG_DIR:-/datalog}
log_dir=${ZOO_LOG_DIR:-/logs}

write_config() {
    local cfg=$1 entry
    {
        echo "dataDir=$data_dir"
        echo "dataLogDir=$datalog_dir"
        echo "tickTime=${ZOO_TICK_TIME:-2000}"
        echo "initLimit=${ZOO_INIT_LIMIT:-5}"
        echo "syncLimit=${ZOO_SYNC_LIMIT:-2}"
        echo "autopurge.snapRetainCount=${ZOO_AUTOPURGE_SNAPRETAINCOUNT:-3}"
        echo "autopurge.purgeInterval=${ZOO_AUTOPURGE_PURGEINTERVAL:-0}"
        echo "maxClientCnxns=${ZOO_MAX_CLIENT_CNXNS:-60}"
        echo "standaloneEnabled=${ZOO_STANDALONE_ENABLED:-true}"
        echo "admin.enableServer=${ZOO_ADMINSERVER_ENABLED:-true}"
        if [[ -n ${ZOO_4LW_COMMANDS_WHITELIST:-} ]]; then
            echo "4lw.commands.whitelist=$ZOO_4LW_COMMANDS_WHITELIST"
        fi
        # ZOO_SERVERS: whitespace-separated `server.N=host:peer:election[:role];clientPort` entries.
        if [[ -z ${ZOO_SERVERS:-} ]]; then
            echo "server.1=localhost:2888:3888;2181"
        else
            for entry in $ZOO_SERVERS; do echo "$entry"; done
        fi
        # ZOO_CFG_EXTRA: whitespace-separated `key=value` lines appended as they are.
        for entry in ${ZOO_CFG_EXTRA:-}; do echo "$entry"; done
    } > "$cfg.tmp"
    mv "$cfg.tmp" "$cfg"
}

if [[ ${1:-} == zkServer.sh || ${1:-} == */zkServer.sh ]]; then
    mkdir -p "$conf_dir" "$data_dir" "$datalog_dir" "$log_dir"
    [[ -f $conf_dir/zoo.cfg ]] || write_config "$conf_dir/zoo.cfg"
    [[ -f $data_dir/myid ]] || echo "${ZOO_MY_ID:-1}" > "$data_dir/myid"
    if [[ $(id -u) == 0 ]]; then
        chown -R zookeeper:zookeeper "$data_dir" "$datalog_dir" "$log_dir"
        chown zookeeper:zookeeper "$conf_dir" 2>/dev/null || true
        exec setpriv --reuid=zookeeper --regid=zookeeper --init-groups "$@"
    fi
fi
exec "$@"
