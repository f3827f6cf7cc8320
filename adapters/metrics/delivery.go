package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"supportdesk/ports"
)

// statsTimeout bounds reading the delivery figures during a scrape.
const statsTimeout = 2 * time.Second

// ObserveDelivery counts one delivery attempt by kind of destination
// ("nats", "webhook") and result ("delivered", "failed", "dead").
func (m *Metrics) ObserveDelivery(destination, result string) {
	m.deliveries.WithLabelValues(destination, result).Inc()
}

// WatchDeliveries adds the outbox figures read from stats at each scrape:
// the outbox lag (age of the oldest event not delivered everywhere), the
// pending deliveries and the dead ones. now is the clock the lag is
// measured with.
func (m *Metrics) WatchDeliveries(stats ports.Deliveries, now func() time.Time) {
	m.reg.MustRegister(&deliveryCollector{stats: stats, now: now})
}

var (
	lagDesc = prometheus.NewDesc(Namespace+"_outbox_lag_seconds",
		"Age of the oldest event not yet delivered to every destination (dead deliveries aside); 0 when none is pending.", nil, nil)
	pendingDesc = prometheus.NewDesc(Namespace+"_deliveries_pending",
		"Deliveries neither delivered nor dead, plus events not yet fanned out.", nil, nil)
	deadDesc = prometheus.NewDesc(Namespace+"_deliveries_dead",
		"Deliveries that failed their last attempt; list them with supportdesk deliveries list --dead.", nil, nil)
)

type deliveryCollector struct {
	stats ports.Deliveries
	now   func() time.Time
}

func (c *deliveryCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- lagDesc
	ch <- pendingDesc
	ch <- deadDesc
}

// Collect reads the figures; when the database does not answer, the
// scrape reports the error and goes on with the other metrics.
func (c *deliveryCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), statsTimeout)
	defer cancel()
	s, err := c.stats.Stats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(lagDesc, err)
		return
	}
	lag := 0.0
	if s.OldestPending != nil {
		lag = max(c.now().Sub(*s.OldestPending).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, lag)
	ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(s.Pending))
	ch <- prometheus.MustNewConstMetric(deadDesc, prometheus.GaugeValue, float64(s.Dead))
}
