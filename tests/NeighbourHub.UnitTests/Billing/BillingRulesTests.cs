using NeighbourHub.Web.Features.Billing;

namespace NeighbourHub.UnitTests;

/// <summary>Fee items and billing periods: what a household owes for a month, to the fen.</summary>
public sealed class BillingRulesTests
{
    [Theory]
    [InlineData(250, "89.53", 22383)] // 223.825 元 → 223.83 元
    [InlineData(235, "81.50", 19153)] // 191.525 → 191.53
    [InlineData(100, "0.005", 1)] // 0.5 fen → 1 fen
    [InlineData(100, "0.004", 0)]
    [InlineData(333, "100.00", 33300)]
    public void Per_square_metre_fees_round_half_up_to_the_fen(long unitPriceFen, string area, long expected)
    {
        var item = new FeeItem { Name = "物业费", Kind = FeeKind.PerAreaMonthly, UnitPriceFen = unitPriceFen };
        Assert.Equal(expected, item.AmountFor(decimal.Parse(area, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(15000, new FeeItem { Name = "车位", Kind = FeeKind.FixedMonthly, UnitPriceFen = 15000 }.AmountFor(89.53m));
    }

    [Fact]
    public void Fee_items_apply_within_their_months_and_one_offs_once()
    {
        var monthly = new FeeItem { Name = "物业费", EffectiveFrom = new DateOnly(2026, 3, 15), EffectiveTo = new DateOnly(2026, 12, 31) };
        Assert.False(monthly.AppliesTo(new BillingPeriod(2026, 2)));
        Assert.True(monthly.AppliesTo(new BillingPeriod(2026, 3)));
        Assert.False(monthly.AppliesTo(new BillingPeriod(2027, 1)));
        var once = new FeeItem { Name = "维修分摊", Kind = FeeKind.OneOff, EffectiveFrom = new DateOnly(2026, 11, 1) };
        Assert.True(once.AppliesTo(new BillingPeriod(2026, 11)));
        Assert.False(once.AppliesTo(new BillingPeriod(2026, 12)));
        Assert.False(BillingPeriod.TryParse("2026-13", out _));
        Assert.False(BillingPeriod.TryParse("26-11", out _));
        Assert.True(BillingPeriod.TryParse("2026-02", out var feb));
        Assert.Equal(new DateOnly(2026, 2, 28), feb.DueDate(31));
    }
}
