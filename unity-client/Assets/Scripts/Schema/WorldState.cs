// 
// THIS FILE HAS BEEN GENERATED AUTOMATICALLY
// DO NOT CHANGE IT MANUALLY UNLESS YOU KNOW WHAT YOU'RE DOING
// 
// GENERATED USING @colyseus/schema 5.0.34
// 

namespace Kobot.Schema {
	public partial class WorldState : global::Colyseus.Schema.Schema {
#if UNITY_5_3_OR_NEWER
		[global::UnityEngine.Scripting.Preserve]
#endif
		public WorldState() { }

		[global::Colyseus.Schema.Type(0, "map", typeof(global::Colyseus.Schema.MapSchema<Player>))]
		public global::Colyseus.Schema.MapSchema<Player> players = new global::Colyseus.Schema.MapSchema<Player>();

		[global::Colyseus.Schema.Type(1, "map", typeof(global::Colyseus.Schema.MapSchema<Npc>))]
		public global::Colyseus.Schema.MapSchema<Npc> npcs = new global::Colyseus.Schema.MapSchema<Npc>();

		[global::Colyseus.Schema.Type(2, "number")]
		public double hearingRadius = 0;

		[global::Colyseus.Schema.Type(3, "float64")]
		public double serverTime = 0;

		[global::Colyseus.Schema.Type(4, "array", typeof(global::Colyseus.Schema.ArraySchema<ChatLine>))]
		public global::Colyseus.Schema.ArraySchema<ChatLine> chat = new global::Colyseus.Schema.ArraySchema<ChatLine>();

		[global::Colyseus.Schema.Type(5, "number")]
		public double sightRadius = 0;
	}
}
