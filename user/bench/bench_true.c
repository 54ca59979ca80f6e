/*
 * bench_true - the smallest static program: exits 0 at once. The exec
 * target of the vfork_exec and fork_exec benchmarks.
 */
int main(void)
{
	return 0;
}
