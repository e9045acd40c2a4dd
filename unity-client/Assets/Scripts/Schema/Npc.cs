// 
// THIS FILE HAS BEEN GENERATED AUTOMATICALLY
// DO NOT CHANGE IT MANUALLY UNLESS YOU KNOW WHAT YOU'RE DOING
// 
// GENERATED USING @colyseus/schema 5.0.34
// 

namespace Kobot.Schema {
	public partial class Npc : global::Colyseus.Schema.Schema {
#if UNITY_5_3_OR_NEWER
		[global::UnityEngine.Scripting.Preserve]
#endif
		public Npc() { }

		[global::Colyseus.Schema.Type(0, "string")]
		public string name = "";

		[global::Colyseus.Schema.Type(1, "number")]
		public double x = 0;

		[global::Colyseus.Schema.Type(2, "number")]
		public double y = 0;

		[global::Colyseus.Schema.Type(3, "number")]
		public double z = 0;

		[global::Colyseus.Schema.Type(4, "string")]
		public string status = "idle";

		[global::Colyseus.Schema.Type(5, "number")]
		public double talkRadius = 0;

		[global::Colyseus.Schema.Type(6, "float32")]
		public double rotY = 0;

		[global::Colyseus.Schema.Type(7, "boolean")]
		public bool privateTalk = false;
	}
}
