using Microsoft.Extensions.Time.Testing;

namespace RemovalWorkflow.Tests;

public sealed class SimulatedWhatsAppGroupTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Constructor_SameOptions_GivesTheSameMembers()
    {
        var options = new SimulatedGroupOptions { MemberCount = 25, InactiveShare = 0.4 };

        Assert.Equal(new SimulatedWhatsAppGroup(options, Time).Members, new SimulatedWhatsAppGroup(options, Time).Members);
    }

    [Theory]
    [InlineData(0, 0.5, 0)]
    [InlineData(10, 0, 0)]
    [InlineData(10, 1, 10)]
    [InlineData(40, 0.5, 20)]
    [InlineData(7, 0.3, 2)]
    [InlineData(1000, 0.123, 123)]
    public void Constructor_InactiveShare_MakesThatShareSilentForMoreThan30Days(int count, double share, int expectedInactive)
    {
        var group = new SimulatedWhatsAppGroup(new SimulatedGroupOptions { MemberCount = count, InactiveShare = share }, Time);
        var cutoff = Time.GetUtcNow() - TimeSpan.FromDays(30);

        Assert.Equal(count, group.Members.Count);
        Assert.Equal(count, group.Members.Select(m => m.WaId).Distinct().Count());
        Assert.Equal(expectedInactive, group.Members.Count(m => m.LastActiveAt < cutoff));
        Assert.All(group.Members, m => Assert.True(m.LastActiveAt < cutoff || m.LastActiveAt > Time.GetUtcNow() - TimeSpan.FromDays(8)));
    }

    [Fact]
    public async Task RemoveMemberAsync_Twice_RemovesOnceAndThenSaysNotAMember()
    {
        var group = new SimulatedWhatsAppGroup(new SimulatedGroupOptions { MemberCount = 3 }, Time);
        var member = group.Members[1].WaId;

        Assert.True(await group.RemoveMemberAsync(group.GroupWaId, member));
        Assert.False(await group.RemoveMemberAsync(group.GroupWaId, member));

        Assert.Equal([member], group.RemovedMemberIds);
        Assert.DoesNotContain(member, (await group.ListMembersAsync(group.GroupWaId)).Select(m => m.WaId));
    }

    [Fact]
    public async Task ListMembersAsync_UnknownGroup_Throws()
    {
        var group = new SimulatedWhatsAppGroup(new SimulatedGroupOptions(), Time);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => group.ListMembersAsync("42@g.us"));

        Assert.Contains("42@g.us", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void Constructor_ShareOutsideZeroToOne_Throws(double share) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulatedWhatsAppGroup(new SimulatedGroupOptions { InactiveShare = share }, Time));
}
