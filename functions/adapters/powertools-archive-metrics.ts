/** Archive metrics as CloudWatch Embedded Metric Format lines on stdout (Powertools Metrics). */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type ArchiveMetrics, AUDIT_HEARTBEAT_METRIC } from '../archive/heartbeat.js';

export class PowertoolsArchiveMetrics implements ArchiveMetrics {
  private readonly metrics = new Metrics({
    namespace: AUDIT_HEARTBEAT_METRIC.namespace,
    serviceName: AUDIT_HEARTBEAT_METRIC.dimensions.service,
  });

  heartbeatsArchived(count: number): void {
    if (count <= 0) return;
    this.metrics.addMetric(AUDIT_HEARTBEAT_METRIC.name, MetricUnit.Count, count);
    this.metrics.publishStoredMetrics();
  }
}
