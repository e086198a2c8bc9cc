package benchreport

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// Result is one benchmark line of go test -bench output: its name without
// the -GOMAXPROCS suffix, iterations, and every "value unit" pair (ns/op,
// B/op, allocs/op and custom metrics).
type Result struct {
	Name    string
	N       int64
	Metrics map[string]float64
}

// ParseBench reads go test -bench output (the benchstat format) and
// returns its benchmark lines in order; other lines are ignored.
func ParseBench(r io.Reader) ([]Result, error) {
	var out []Result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		res := Result{Name: name, N: n, Metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				res.Metrics = nil
				break
			}
			res.Metrics[f[i+1]] = v
		}
		if res.Metrics != nil {
			out = append(out, res)
		}
	}
	return out, sc.Err()
}

// Medians groups results by name (several -count runs) and returns the
// median of each metric per name, and the names in first-seen order.
func Medians(rs []Result) (map[string]map[string]float64, []string) {
	runs := map[string][]Result{}
	var order []string
	for _, r := range rs {
		if _, ok := runs[r.Name]; !ok {
			order = append(order, r.Name)
		}
		runs[r.Name] = append(runs[r.Name], r)
	}
	out := map[string]map[string]float64{}
	for name, list := range runs {
		m := map[string]float64{}
		for unit := range list[0].Metrics {
			var xs []float64
			for _, r := range list {
				if v, ok := r.Metrics[unit]; ok {
					xs = append(xs, v)
				}
			}
			m[unit] = Median(xs)
		}
		out[name] = m
	}
	return out, order
}
