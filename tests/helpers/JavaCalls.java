// A Java program for J expressions (README, man page): square(99) n times, then 3 naps of 80 ms.
public class JavaCalls {
	static int square(int i) { return i * i; }
	static void nap(long ms) throws InterruptedException { Thread.sleep(ms); }
	public static void main(String[] a) throws Exception {
		int n = a.length > 0 ? Integer.parseInt(a[0]) : 3;
		long s = 0;
		for (int i = 0; i < n; i++)
			s += square(99);
		for (int i = 0; i < 3; i++)
			nap(80);
		System.out.println("sum " + s);
	}
}
