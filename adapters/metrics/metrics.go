// Package metrics is the Prometheus adapter: the service's metrics on a
// registry of its own (never the global one, so that two apps in one
// process — as in tests — do not collide), served in the text format.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"supportdesk/core/support"
)

// Namespace prefixes every metric of the service's own.
const Namespace = "supportdesk"

// Metrics holds the service's metrics. Its methods are safe for
// concurrent use.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	created  *prometheus.CounterVec
	envelope prometheus.Histogram
	// deliveries counts attempts; the outbox figures come from a
	// collector that WatchDeliveries adds.
	deliveries *prometheus.CounterVec
}

// New returns the service's metrics with the Go runtime and process
// collectors and, when db is not nil, the figures of its connection pool
// (go_sql_*, labelled db_name="supportdesk").
func New(db *sql.DB) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		// One histogram serves as the request counter too: its _count
		// series is the number of requests per route and status.
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace,
			Name:      "http_request_duration_seconds",
			Help:      "Time to answer an HTTP request, by method, route template and status; _count counts requests.",
			Buckets:   prometheus.DefBuckets,
		}, []string{"method", "route", "status"}),
		created: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace,
			Name:      "support_requests_created_total",
			Help:      "Support requests stored (Idempotency-Key replays excluded), by primary context type and attachment mode.",
		}, []string{"context_type", "attachment_mode"}),
		envelope: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: Namespace,
			Name:      "envelope_build_duration_seconds",
			Help:      "Time to read the database state of a context envelope and build it, for submissions and previews.",
			Buckets:   prometheus.ExponentialBuckets(0.001, 2, 13), // 1 ms to about 4 s
		}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace,
			Name:      "delivery_attempts_total",
			Help:      "Delivery attempts, by kind of destination (nats, webhook) and result (delivered, failed, dead).",
		}, []string{"destination", "result"}),
	}
	m.reg.MustRegister(m.requests, m.created, m.envelope, m.deliveries,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if db != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(db, Namespace))
	}
	// Every combination exists from the start, so that a rate over it is
	// defined before the first request of its kind.
	for _, typ := range []support.ContextType{support.ContextTenant, support.ContextOperationRun} {
		for _, mode := range []support.AttachmentMode{support.DiagnosticsAttached, support.CanonicalContextOnly} {
			m.created.WithLabelValues(string(typ), string(mode))
		}
	}
	return m
}

// Handler serves the registry in the Prometheus text format. A collector
// that fails is reported in the log of the scrape, not as a failed scrape.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// ObserveRequest records one answered request. route must be a route
// template, never the raw path, so that the series stay few.
func (m *Metrics) ObserveRequest(method, route string, status int, took time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Observe(took.Seconds())
}

// Created counts one stored support request; it fits usecase.Hooks.Created.
func (m *Metrics) Created(_ context.Context, r *support.Request) {
	m.created.WithLabelValues(string(r.PrimaryContext().Type), string(r.AttachmentMode())).Inc()
}

// EnvelopeBuilt records one envelope build; it fits
// usecase.Hooks.EnvelopeBuilt.
func (m *Metrics) EnvelopeBuilt(_ context.Context, took time.Duration) {
	m.envelope.Observe(took.Seconds())
}
