using NUnit.Framework;

namespace LeakGuard.NUnit.TestData;

/// <summary>A managed leak of a type defined here: the failure message's heap summary must name it.</summary>
public class HeapSummaryFixture
{
    private static readonly List<Invoice> Invoices = new(100_000);

    [TearDown]
    public void Reset() => Invoices.Clear();

    /// <summary>static Invoices → List → one Invoice (with its line array) per call.</summary>
    [Test, NoLeak(TopTypes = 5)]
    public void KeepsEveryInvoice() => Invoices.Add(new Invoice { Lines = new decimal[4] });

    public sealed class Invoice
    {
        public decimal[] Lines = [];
    }
}
