package kernels
import ("testing";"fmt")
func BenchmarkZZRows(b *testing.B) {
	x := make([]float32, 3*32*32*128)
	for i := range x { x[i] = float32(i%4096)/1024 - 2 }
	ForEach(func(p string) {
		for _, n := range []int{3, 128} {
			bias := make([]float32, n)
			b.Run(fmt.Sprintf("addbias%d/%s", n, p), func(b *testing.B){ b.SetBytes(int64(8*len(x))); for b.Loop() { AddBias(x, bias) } })
			b.Run(fmt.Sprintf("sumrows%d/%s", n, p), func(b *testing.B){ b.SetBytes(int64(4*len(x))); for b.Loop() { SumRows(bias, x) } })
		}
	})
}
