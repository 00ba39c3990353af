#!/bin/bash
# zkServer.sh of the zkrecipes ZooKeeper image: runs Debian's ZooKeeper jars against
# $ZOO_CONF_DIR/zoo.cfg (Debian's own zkServer.sh insists on /etc/zookeeper).
#   zkServer.sh start-foreground   run the server in the foreground (the image's CMD)
#   zkServer.sh print-cmd          print the java command line instead of running it
#   zkServer.sh status             ask the local server `srvr` and print its Mode
# JVMFLAGS adds JVM flags (e.g. -Xmx256m); SERVER_JVMFLAGS too, after them.
set -euo pipefail

conf_dir=${ZOO_CONF_DIR:-/conf}
log_dir=${ZOO_LOG_DIR:-/logs}
cfg=${ZOOCFG:-$conf_dir/zoo.cfg}
jars=/usr/share/java
# conf dir first so a user's log4j.properties wins over the image default.
classpath="$conf_dir:/usr/local/share/zookeeper-image:$jars/zookeeper.jar:$jars/slf4j-log4j12.jar"
classpath+=":$jars/log4j-1.2.jar:$jars/servlet-api.jar"
# the Netty connection factory (TLS) needs what zookeeper.jar's manifest leaves out
classpath+=":$jars/netty-codec.jar:$jars/netty-resolver.jar:$jars/netty-transport-native-unix-common.jar"

command=(java "-Dzookeeper.log.dir=$log_dir" -XX:+HeapDumpOnOutOfMemoryError
         "-XX:OnOutOfMemoryError=kill -9 %p" -cp "$classpath")
# shellcheck disable=SC2206  # JVMFLAGS is a space-separated list by contract
command+=(${JVMFLAGS:-} ${SERVER_JVMFLAGS:-} org.apache.zookeeper.server.quorum.QuorumPeerMain "$cfg")

case ${1:-} in
    start-foreground) exec "${command[@]}" ;;
    print-cmd) printf '%q ' "${command[@]}"; echo ;;
    status)
        port=$(sed -n 's/^clientPort=//p' "$cfg" | tail -n1)
        port=${port:-2181}
        exec 3<>"/dev/tcp/127.0.0.1/$port"
        printf srvr >&3
        grep '^Mode:' <&3 || { echo "no Mode from 127.0.0.1:$port" >&2; exit 1; }
        ;;
    *) echo "usage: zkServer.sh start-foreground|print-cmd|status" >&2; exit 2 ;;
esac
