using NeighbourHub.Web.Features.Billing;

namespace NeighbourHub.UnitTests;

/// <summary>金额大写 as printed on receipts: every case a cashier would check by eye, zeros above all.</summary>
public sealed class MoneyCapitalsTests
{
    [Theory]
    [InlineData(16150, "壹佰陆拾壹元伍角整")]
    [InlineData(0, "零元整")]
    [InlineData(1, "壹分")]
    [InlineData(50, "伍角整")]
    [InlineData(55, "伍角伍分")]
    [InlineData(100, "壹元整")]
    [InlineData(1005, "壹拾元零伍分")]
    [InlineData(1050, "壹拾元伍角整")]
    [InlineData(22383, "贰佰贰拾叁元捌角叁分")]
    [InlineData(100000, "壹仟元整")]
    [InlineData(100100, "壹仟零壹元整")]
    [InlineData(101000, "壹仟零壹拾元整")]
    [InlineData(1000100, "壹万零壹元整")]
    [InlineData(1100000, "壹万壹仟元整")]
    [InlineData(10010000, "壹拾万零壹佰元整")]
    [InlineData(10100000, "壹拾万零壹仟元整")]
    [InlineData(100000000, "壹佰万元整")]
    [InlineData(10000000000, "壹亿元整")]
    [InlineData(10000000100, "壹亿零壹元整")]
    [InlineData(12345678912, "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分")]
    [InlineData(-16150, "负壹佰陆拾壹元伍角整")]
    public void Amounts_read_in_capitals_with_one_zero_per_gap(long fen, string expected) =>
        Assert.Equal(expected, Money.Capitals(fen));
}
